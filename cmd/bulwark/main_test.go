package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeStopsCleanlyOnSIGTERM builds the real binary, starts it on a free
// port, begins a request, sends SIGTERM while the request is still being
// sent, and checks the request is answered and the process exits 0.
func TestServeStopsCleanlyOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bulwark")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir} // no BULWARK_* from the caller
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	// On failure, do not leave the server running (a no-op once it exited).
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	// Read the console into lines; the test waits for given ones.
	lines := make(chan string, 100)
	var console strings.Builder
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	waitFor := func(what string) string {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("console ended before %q:\n%s", what, console.String())
				}
				console.WriteString(line + "\n")
				if strings.Contains(line, what) {
					return line
				}
			case <-timeout:
				t.Fatalf("no %q on the console after 30s:\n%s", what, console.String())
			}
		}
	}

	waitFor("One-time password:")
	listening := waitFor("listening")
	m := regexp.MustCompile(`url=http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(listening)
	if m == nil {
		t.Fatalf("no address in %q", listening)
	}

	// A login whose body arrives in two parts: the request is in flight
	// (headers read, handler waiting for the body) when SIGTERM comes.
	conn, err := net.DialTimeout("tcp", m[1], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "username=nobody&password=not-the-password"
	head := "POST /login HTTP/1.1\r\nHost: " + m[1] + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the server read the headers
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor("shutting down")
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("finishing the request after SIGTERM: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 401") {
		t.Fatalf("request in flight at SIGTERM: %q %v (want the login refused with 401)", status, err)
	}

	waitFor("stopped cleanly")
	for range lines {
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, console.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("process did not exit")
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
