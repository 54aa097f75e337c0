package auth

import (
	"strings"
	"testing"

	"bulwark/internal/apperr"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	DefaultArgon2 = Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	h, err := HashPassword("正确的马电池钉书针")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	for pw, want := range map[string]bool{"正确的马电池钉书针": true, "正确的马电池钉书": false, "": false} {
		if ok, err := CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	h2, _ := HashPassword("正确的马电池钉书针")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt missing")
	}
	if _, err := CheckPassword("$bcrypt$junk", "x"); err == nil {
		t.Error("foreign hash accepted")
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy PasswordPolicy
		user   string
		pw     string
		want   string // first error key, "" when accepted
	}{
		{PasswordPolicy{MinLength: 12}, "alice", "short", "err.password_too_short"},
		{PasswordPolicy{MinLength: 12}, "alice", "twelve chars", ""},
		{PasswordPolicy{MinLength: 12}, "averylongname", "AVERYLONGNAME", "err.password_is_username"},
		{PasswordPolicy{MinLength: 8, MinClasses: 3}, "bob", "alllowercase", "err.password_classes"},
		{PasswordPolicy{MinLength: 8, MinClasses: 3}, "bob", "Mixed-case1", ""},
		{PasswordPolicy{MinLength: 8}, "bob", "密码密码密码密码", ""}, // counted in characters, not bytes
		{PasswordPolicy{MinLength: 12}, "bob", "密码密码密码", "err.password_too_short"},
	} {
		err := tc.policy.Check(tc.user, tc.pw)
		got := ""
		if err != nil {
			got = apperr.As(err).Fields[0].Key
		}
		if got != tc.want {
			t.Errorf("%+v %q: got %q, want %q", tc.policy, tc.pw, got, tc.want)
		}
	}
}
