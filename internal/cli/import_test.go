package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestImportCommand(t *testing.T) {
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			dir := t.TempDir()
			write := func(name, content string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			good := write("good.csv", "资产编号,资产名称,资产类型,IP地址\nCLI-1,核心交换机,网络设备,10.0.0.1\n,防火墙,安全设备,10.0.0.254\n")
			bad := write("bad.csv", "资产编号,资产名称,资产类型,备注X\nCLI-2,路由器,网络设备,\nCLI-3,,服务器,\n")
			run := func(args ...string) (int, string) {
				var out, errOut bytes.Buffer
				code := Run(context.Background(), append(args, "--data", dir, "--db", dsn), IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
				return code, out.String() + errOut.String()
			}
			for _, tc := range []struct {
				args []string
				code int
				want []string
			}{
				{[]string{"import", "assets", good, "--dry-run"}, 0, []string{"2 created, 0 updated, 0 unchanged would be", "CLI-1"}},
				{[]string{"import", "assets", good}, 0, []string{"2 created, 0 updated, 0 unchanged were"}},
				{[]string{"import", "assets", good}, 0, []string{"0 created, 0 updated, 2 unchanged were"}},
				{[]string{"import", "assets", bad, "--dry-run"}, 1, []string{"error   CLI-3", "资产名称: This field is required.", "warning: columns not recognised, ignored: 备注X"}},
				{[]string{"import", "assets", bad}, 1, []string{"1 rows have errors; nothing was imported"}},
				{[]string{"import", "assets", bad, "--valid-only"}, 0, []string{"1 created, 0 updated, 0 unchanged were", "(skipped)"}},
				{[]string{"import", "assets", good, "--org", "99"}, 2, []string{"no organisation 99"}},
				{[]string{"import", "assets"}, 2, []string{"want exactly one FILE"}},
				{[]string{"import", "things", good}, 2, []string{"want: import assets FILE"}},
			} {
				code, out := run(tc.args...)
				if code != tc.code {
					t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, out)
				}
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
					}
				}
			}
		})
	}
}

func TestImportPlaybooksCommand(t *testing.T) {
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			dir := t.TempDir()
			write := func(name, content string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			good := write("good.yaml", "version: 1\nplaybooks:\n  - key: phishing\n    name_zh: 钓鱼邮件处置\n    categories: [NA-02]\n"+
				"    steps:\n      detection:\n        - title: 收集邮件样本\n          due: 30m\n")
			bad := write("bad.yaml", "version: 1\nplaybooks:\n  - key: phishing\n    name_zh: 钓鱼邮件处置\n    categories: [NA-02]\n"+
				"    steps:\n      containment:\n        - notes: 没有标题\n")
			run := func(args ...string) (int, string) {
				var out, errOut bytes.Buffer
				code := Run(context.Background(), append(args, "--data", dir, "--db", dsn), IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
				return code, out.String() + errOut.String()
			}
			for _, tc := range []struct {
				args []string
				code int
				want []string
			}{
				{[]string{"import", "playbooks", good, "--dry-run"}, 0, []string{"create     phishing", "1 playbooks created or replaced would be"}},
				{[]string{"import", "playbooks", good}, 0, []string{"1 playbooks created or replaced were"}},
				{[]string{"import", "playbooks", good}, 0, []string{"unchanged  phishing", "0 playbooks"}},
				{[]string{"import", "playbooks", bad}, 1, []string{"phishing.steps.containment.1.title: This field is required.", "nothing was imported"}},
				{[]string{"import", "playbooks", good, "--org", "99"}, 2, []string{"no organisation 99"}},
				{[]string{"import", "playbooks"}, 2, []string{"want exactly one FILE"}},
			} {
				code, out := run(tc.args...)
				if code != tc.code {
					t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, out)
				}
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
					}
				}
			}
		})
	}
}
