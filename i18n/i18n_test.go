package i18n_test

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/templates"
)

func codes() []string {
	var out []string
	for _, l := range i18n.Languages() {
		out = append(out, l.Code)
	}
	return out
}

// Every catalogue has exactly the keys of every other.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	langs := codes()
	if len(langs) != 3 {
		t.Fatalf("languages = %v, want en, zh, ko", langs)
	}
	for _, a := range langs {
		for _, b := range langs {
			if a == b {
				continue
			}
			for _, k := range i18n.Keys(a) {
				if !i18n.Has(b, k) {
					t.Errorf("key %q is in %s but missing from %s", k, a, b)
				}
			}
		}
	}
}

// A message must not be empty, and its fmt verbs (%d, %s) must match English,
// or a translation would print %!d(string=…).
func TestMessagesAndVerbs(t *testing.T) {
	verbs := regexp.MustCompile(`%(\[\d+\])?[a-z]`)
	for _, lang := range codes() {
		for _, k := range i18n.Keys(lang) {
			msg := i18n.T(lang, k)
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s %s is empty", lang, k)
			}
			got := verbs.FindAllString(msg, -1)
			want := verbs.FindAllString(i18n.T("en", k), -1)
			sort.Strings(got)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s %q: verbs differ from English (-en +%s):\n%s", lang, k, msg, lang, diff)
			}
		}
	}
}

// tKeys finds the literal keys of {{t "key"}} calls in the template files,
// including calls inside pipelines ({{printf "%s" (t "key")}}).
func tKeys(t *testing.T) map[string][]string {
	t.Helper()
	action := regexp.MustCompile(`(?s)\{\{(.*?)\}\}`)
	call := regexp.MustCompile(`(?:^|[\s(|])t\s+"([^"]+)"`)
	keys := map[string][]string{}
	err := fs.WalkDir(templates.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".html") {
			return err
		}
		b, err := fs.ReadFile(templates.FS(), name)
		if err != nil {
			return err
		}
		for _, a := range action.FindAllStringSubmatch(string(b), -1) {
			for _, m := range call.FindAllStringSubmatch(a[1], -1) {
				keys[m[1]] = append(keys[m[1]], name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// Every key a template uses exists in every catalogue.
func TestTemplateKeysExist(t *testing.T) {
	keys := tKeys(t)
	if len(keys) < 20 {
		t.Fatalf("found only %d keys in the templates; is the scanner broken?", len(keys))
	}
	for k, files := range keys {
		for _, lang := range codes() {
			if !i18n.Has(lang, k) {
				t.Errorf("%s uses key %q, missing from the %s catalogue", strings.Join(files, ", "), k, lang)
			}
		}
	}
}

func TestScannerFindsCalls(t *testing.T) {
	action := regexp.MustCompile(`(?s)\{\{(.*?)\}\}`)
	call := regexp.MustCompile(`(?:^|[\s(|])t\s+"([^"]+)"`)
	src := `{{t "a.one"}} {{- t "a.two" .X}} {{printf "%s" (t "a.three")}} {{ .t "no" }} {{template "x" .}} {{fmt "no.t"}}`
	var got []string
	for _, a := range action.FindAllStringSubmatch(src, -1) {
		for _, m := range call.FindAllStringSubmatch(a[1], -1) {
			got = append(got, m[1])
		}
	}
	if diff := cmp.Diff([]string{"a.one", "a.two", "a.three"}, got); diff != "" {
		t.Error(diff)
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "nav.orders", nil, "Orders"},
		{"zh", "nav.orders", nil, "订单"},
		{"ko", "nav.orders", nil, "주문"},
		{"zh", "term.size", nil, "尺码"},
		{"ko", "term.color", nil, "색상"},
		{"zh", "term.season", nil, "季度"},
		{"ko", "term.dealer", nil, "대리점"},
		{"en", "home.welcome", []any{"Acme"}, "Welcome, Acme"},
		{"ko", "season.days_left", []any{3}, "3일 남음"},
		{"fr", "nav.orders", nil, "Orders"},       // unknown language: English
		{"zh", "no.such.key", nil, "no.such.key"}, // unknown key: the key itself
		{"en", "status.in_production", nil, "In production"},
	}
	for _, tt := range tests {
		if got := i18n.T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"", "en"},
		{"en-US,en;q=0.9", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"zh", "zh"},
		{"zh-Hans-CN", "zh"},
		{"ko-KR,ko;q=0.9", "ko"},
		{"ko", "ko"},
		{"fr-FR,fr;q=0.9", "en"},
		{"de;q=0.9, ko;q=0.5", "ko"},
		{"en;q=0.2, ko;q=0.9", "ko"},
		{"*", "en"},
		{";;;garbage===", "en"},
	}
	for _, tt := range tests {
		if got := i18n.Match(tt.accept); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	tests := []struct{ cookie, stored, accept, want string }{
		{"", "", "", "en"},
		{"", "", "ko-KR", "ko"},
		{"", "zh", "ko-KR", "zh"},
		{"ko", "zh", "en-US", "ko"},
		{"xx", "", "zh-CN", "zh"}, // a forged cookie is ignored
		{"", "xx", "", "en"},
	}
	for _, tt := range tests {
		if got := i18n.Pick(tt.cookie, tt.stored, tt.accept); got != tt.want {
			t.Errorf("Pick(%q, %q, %q) = %q, want %q", tt.cookie, tt.stored, tt.accept, got, tt.want)
		}
	}
}

func TestLanguages(t *testing.T) {
	want := map[string]string{"zh": "中文", "ko": "한국어", "en": "English"}
	for _, l := range i18n.Languages() {
		if want[l.Code] != l.Label {
			t.Errorf("%s label %q, want %q", l.Code, l.Label, want[l.Code])
		}
		if !i18n.Supported(l.Code) {
			t.Errorf("%s not supported", l.Code)
		}
	}
	if i18n.HTMLLang("zh") != "zh-Hans" || i18n.HTMLLang("nope") != "en" {
		t.Error("HTMLLang")
	}
}
