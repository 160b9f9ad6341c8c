package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/plumbsec/plumb/internal/report"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &Streams{In: strings.NewReader(""), Out: &out, Err: &errb,
		LookupEnv: func(string) (string, bool) { return "", false }})
	return code, out.String(), errb.String()
}

// plumb code as a black box: exit codes, the JSON contract and SARIF
// physical locations.
func TestCodeCommand(t *testing.T) {
	t.Parallel()
	const vuln, clean = "../code/testdata/flask-vuln", "../code/testdata/flask-clean"
	if c, _, e := runCLI(t, "code", vuln, "--no-dns", "--fail-on", "high", "--format", "json"); c != ExitGate {
		t.Errorf("--fail-on high on the vulnerable fixture exited %d: %s", c, e)
	}
	if c, _, e := runCLI(t, "code", clean, "--no-dns", "--fail-on", "medium"); c != ExitOK {
		t.Errorf("--fail-on medium on the clean twin exited %d: %s", c, e)
	}
	for _, args := range [][]string{{"code"}, {"code", "does/not/exist", "--no-dns"}, {"code", vuln, "--format", "html"}, {"code", vuln, "--fail-on", "info"}} {
		if c, _, _ := runCLI(t, args...); c != ExitUsage {
			t.Errorf("%v exited %d, want %d", args, c, ExitUsage)
		}
	}

	c, out, e := runCLI(t, "code", vuln, "--no-dns", "--format", "json")
	if c != ExitOK {
		t.Fatalf("exit %d: %s", c, e)
	}
	doc, err := report.CodeSchema()
	if err != nil {
		t.Fatal(err)
	}
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource(report.CodeSchemaID, sch); err != nil {
		t.Fatal(err)
	}
	compiled, err := comp.Compile(report.CodeSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := compiled.Validate(inst); err != nil {
		t.Fatalf("plumb code JSON does not match docs/code.schema.json: %v", err)
	}
	if strings.Contains(out, "vs7Qm2Xr9Lp4Vt8Wz3Nb6Yc1Hd5Kf0Rj") {
		t.Error("the hard-coded token appears in the report")
	}

	_, sarif, _ := runCLI(t, "code", vuln, "--no-dns", "--format", "sarif")
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(sarif), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("SARIF: %v %s", err, sarif)
	}
	for _, r := range log.Runs[0].Results {
		p := r.Locations[0].Physical
		if !strings.HasPrefix(p.Artifact.URI, "../code/testdata/flask-vuln/") || p.Region.StartLine < 1 {
			t.Errorf("%s: physical location %+v", r.RuleID, p)
		}
	}
}
