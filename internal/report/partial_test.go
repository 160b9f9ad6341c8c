package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/result"
)

// Every format says a report is partial and why, says what the grade was
// computed from, and names each category left out with its reason.
func TestEveryFormatSaysWhatWasAssessed(t *testing.T) {
	t.Parallel()
	r := fixture()
	r.Partial = true
	r.Errors = append(r.Errors, result.Error{Stage: result.StageTimeLimit, Message: "the scan's time limit (--max-time 30s) ran out; checks still running were stopped"})
	for _, f := range Formats() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := f.New(Options{Width: 100, Rule: testRules}).Render(&b, r); err != nil {
				t.Fatal(err)
			}
			out := strings.Join(strings.Fields(unescape(b.String())), " ")
			for _, want := range []string{"--max-time 30s", "categories assessed", "none of its 12 request(s) was answered"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s does not say %q:\n%s", f.Name, want, out)
				}
			}
			if !strings.Contains(strings.ToLower(out), "partial") {
				t.Errorf("%s does not say the report is partial", f.Name)
			}
		})
	}
	var b bytes.Buffer
	if err := (SARIF{}).Render(&b, r); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful || len(inv.Notifications) != 1 || !strings.Contains(inv.Notifications[0].Message.Text, "time limit") {
		t.Errorf("SARIF invocation: %+v", inv)
	}
}

func unescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&quot;", `"`, "&apos;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", `\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(s)
}

// The table goes to a terminal: text from the target (here a finding title
// quoting a header) cannot drive it.
func TestTableEscapesRemoteText(t *testing.T) {
	t.Parallel()
	r := fixture()
	r.Findings[0].Title = "Server header says \x1b[2J\x1b]0;pwned\x07 hi"
	var b bytes.Buffer
	if err := (Table{Opts: Options{Width: 100}}).Render(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), `\x1b[2J`) {
		t.Errorf("table:\n%q", b.String())
	}
}
