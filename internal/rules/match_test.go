package rules

import (
	"regexp"
	"strings"
	"testing"
)

// Keywords are only a prefilter: in no sample of any embedded pattern
// rule do they hide a match the pattern itself would find.
func TestKeywordsNeverHideASampleMatch(t *testing.T) {
	t.Parallel()
	for _, n := range Names() {
		p, _ := Load(n)
		for _, r := range p.Rules {
			if r.re == nil {
				continue
			}
			for _, s := range append(append([]Sample{}, r.Positive...), r.Negative...) {
				raw := r.re.FindAllStringSubmatchIndex(s.Text, findLimit)
				valid := false
				for _, loc := range raw {
					valid = valid || r.valid(s.Text, loc)
				}
				if _, ok := r.Find(NewText(s.Text)); ok != valid {
					t.Errorf("%s/%s: %q: Find = %v, pattern and validators say %v", p.Name, r.ID, s.Text, ok, valid)
				}
			}
		}
	}
}

func TestFindAllCapturesAndFirst(t *testing.T) {
	t.Parallel()
	p, err := Parse("t", []byte(head+
		"  - id: a\n    title: A\n    pattern: 'id=(?P<id>\\d+)'\n    keywords: ['id=']\n    captures: {id: the id}\n    positive: [id=1]\n    negative: [id=x]\n"+
		"  - id: b\n    title: B\n    pattern: '(?i)card (\\d{13,19})'\n    keywords: [card]\n    validate: [luhn]\n    positive: [CARD 4111111111111111]\n    negative: [card 4111111111111112]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ms := p.Rule("a").FindAll(NewText("id=1 id=22 id=333"), 2)
	if len(ms) != 2 || ms[1].Capture("id") != "22" || ms[1].Text() != "id=22" || ms[1].Start() != 5 || ms[1].End() != 10 || ms[0].Capture("nope") != "" {
		t.Errorf("FindAll = %+v", ms)
	}
	m, ok := p.First(NewText("Card 4111111111111112 card 4111111111111111"))
	if !ok || m.Rule().ID != "b" || m.Text() != "card 4111111111111111" {
		t.Errorf("First = %v %q", ok, m.Text())
	}
	if m, ok := p.First(NewText("nothing here")); ok || m.Text() != "" || m.Capture("id") != "" || m.Start() != -1 || m.End() != -1 {
		t.Error("First matched nothing")
	}
}

func TestValidators(t *testing.T) {
	t.Parallel()
	if !luhn("4111111111111111") || !luhn("5555555555554444") || luhn("12") || luhn("4111111111111112") || luhn("123") || !luhn("4111 1111 1111 1111") || luhn("41111111111111111111111") {
		t.Error("luhn")
	}
	if !iban("GB82WEST12345698765432") || iban("GB82WEST12345698765433") || iban("GB82!EST12345698765432") || !iban("GB82 WEST 1234 5698 7654 32") {
		t.Error("iban")
	}
	for s, want := range map[string]bool{"10.0.3.17": true, "1.10.0.3.17": false, "10.0.3.17.5": false, "910.0.3.17": false} {
		if loc := regexp.MustCompile(`10\.0\.3\.17`).FindStringIndex(s); isolated(s, loc[0], loc[1]) != want {
			t.Errorf("isolated(%q) = %v", s, !want)
		}
	}
	if !ibanHead("IBAN GB82 WEST") || !ibanHead("DE89") || ibanHead("GB8") || ibanHead("Gb82 gB82 G82") {
		t.Error("ibanHead")
	}
	if !digitRun("card 4111 1111 1111 1111", 13) || digitRun("12345  67890 123", 13) {
		t.Error("digitRun")
	}
}

func TestKeyNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"API-Key": "apikey", "db.pass_word": "dbpassword"} {
		if got := squash(in); got != want {
			t.Errorf("squash(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"dbPassword": "db password", "APIKey": "api key", "next_page-token": "next page token"} {
		got := ""
		for i, w := range words(in) {
			if i > 0 {
				got += " "
			}
			got += w
		}
		if got != want {
			t.Errorf("words(%q) = %q", in, got)
		}
	}
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	p, err := Load("debug-endpoints")
	if err != nil {
		t.Fatal(err)
	}
	env := p.Rule("dotenv")
	body := []byte("A_B=1\nC_D=2\n")
	if !env.Confirm(body, "text/plain") || env.Confirm(body, "text/html; charset=utf-8") || !env.HasTag("secret") {
		t.Error("dotenv confirm by content type")
	}
	if !LooksHTML([]byte("  <!DOCTYPE html><p>")) || LooksHTML([]byte("{}")) {
		t.Error("LooksHTML")
	}
}

// naiveKeywordHits is what the automaton must compute: rule j has a
// keyword in s, compared exactly, or ignoring ASCII case for (?i) rules.
func naiveKeywordHits(p *Pack, s string) []bool {
	folded := []byte(s)
	for i, c := range folded {
		folded[i] = foldByte(c)
	}
	out := make([]bool, len(p.Rules))
	for j, r := range p.Rules {
		for _, k := range r.Keywords {
			hay := s
			if r.fold {
				hay = string(folded)
			}
			out[j] = out[j] || strings.Contains(hay, k)
		}
	}
	return out
}

func checkKeywordHits(t *testing.T, s string) {
	t.Helper()
	for _, n := range Names() {
		p, _ := Load(n)
		want := naiveKeywordHits(p, s)
		got := NewText(s).keywordHits(p)
		for j, r := range p.Rules {
			if len(r.Keywords) > 0 && got[j] != want[j] {
				t.Errorf("%s/%s on %q: automaton says %v, Contains says %v", n, r.ID, s, got[j], want[j])
			}
		}
	}
}

func TestKeywordIndex(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "AKIA", "akia", "GHP_ ghp_", "SSN: 1", "PASSWORD=", "xxsecretxx", "Werkzeug werkzeug",
		"a .INTERNAL host", "ghp_ghs_gho_", "mysql postgres redis", "ConnectionPool(host=", "\x00\xff"} {
		checkKeywordHits(t, s)
	}
	// Overlapping keywords: ": lookup " and "\": " share bytes; the
	// failure links must still find both.
	checkKeywordHits(t, `Get "https://x.io/a": dial tcp: lookup h.io: no such host`)
}

func FuzzKeywordIndex(f *testing.F) {
	for _, s := range []string{"AKIA ghp_ xox", "Social SSN phone", `request for "`, "Traceback .py\""} {
		f.Add(s)
	}
	f.Fuzz(checkKeywordHits)
}
