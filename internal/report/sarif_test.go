package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/plumbsec/plumb/internal/result"
)

// The SARIF output validates against the official SARIF 2.1.0 schema
// (vendored in testdata, see SARIF-SCHEMA-SOURCE.md).
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	out := render(t, "sarif", Options{})
	sch := validateSARIF(t, out)
	// The validator must be able to fail: a result without a message is invalid.
	bad := strings.Replace(string(out), `"message": {`, `"message_": {`, 1)
	badInst, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
	if sch.Validate(badInst) == nil {
		t.Fatal("schema accepted a result without a message: the validation cannot fail")
	}
}

// validateSARIF validates a SARIF log against the vendored official schema.
func validateSARIF(t *testing.T, out []byte) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF output does not validate: %v", err)
	}
	return sch
}

// One result per finding, with the finding's fingerprint, level,
// security-severity, suppression and spec location.
func TestSARIFContent(t *testing.T) {
	t.Parallel()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Markdown string `json:"markdown"`
						} `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				Level               string            `json:"level"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				BaselineState       string            `json:"baselineState"`
				Suppressions        []struct {
					Kind, Status, Justification string
				} `json:"suppressions"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []struct{ FullyQualifiedName string } `json:"logicalLocations"`
				} `json:"locations"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", Options{}), &log); err != nil {
		t.Fatal(err)
	}
	rep := fixture()
	run := log.Runs[0]
	if len(run.Results) != len(rep.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(rep.Findings))
	}
	for i, res := range run.Results {
		f := rep.Findings[i]
		if res.RuleID != f.ID || run.Tool.Driver.Rules[res.RuleIndex].ID != f.ID {
			t.Errorf("result %d: rule %s (index %d), want %s", i, res.RuleID, res.RuleIndex, f.ID)
		}
		if res.PartialFingerprints["plumb/v1"] != f.Fingerprint {
			t.Errorf("result %d: fingerprint %v, want %s", i, res.PartialFingerprints, f.Fingerprint)
		}
		if res.Properties["security-severity"] != securitySeverity[f.Severity] || res.Level != sarifLevel(f.Severity) {
			t.Errorf("result %d: level %s, properties %v", i, res.Level, res.Properties)
		}
		if (len(res.Suppressions) == 1) != f.Suppressed {
			t.Errorf("result %d: suppressions %v, suppressed %v", i, res.Suppressions, f.Suppressed)
		}
		if f.Suppressed && (res.Suppressions[0].Status != "accepted" || res.Suppressions[0].Justification != f.Suppression.Reason) {
			t.Errorf("result %d: suppression %+v", i, res.Suppressions[0])
		}
		if res.BaselineState != f.BaselineState {
			t.Errorf("result %d: baselineState %q, want %q", i, res.BaselineState, f.BaselineState)
		}
		loc := res.Locations[0]
		if f.Source != nil && (loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI != "openapi.yaml" || loc.PhysicalLocation.Region.StartLine != 42) {
			t.Errorf("result %d: want the spec file and line, got %+v", i, loc.PhysicalLocation)
		}
		if len(loc.LogicalLocations) != 1 || !strings.Contains(loc.LogicalLocations[0].FullyQualifiedName, f.Location.Host) {
			t.Errorf("result %d: logical location %+v", i, loc.LogicalLocations)
		}
	}
	for _, r := range run.Tool.Driver.Rules {
		if !strings.Contains(r.Help.Markdown, "Remediation") || r.Properties["security-severity"] == nil {
			t.Errorf("rule %s lacks remediation help or security-severity: %+v", r.ID, r)
		}
	}
}

// TestSARIFOmitsDefaults: properties that only restate SARIF's defaults
// (-1 indexes and offsets, empty arrays) are left out; a run's empty
// results array stays, since it says the tool looked and found nothing.
func TestSARIFOmitsDefaults(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]*result.Report{"findings": fixture(), "none": {Target: "https://api.example.com"}} {
		var buf bytes.Buffer
		if err := (SARIF{}).Render(&buf, r); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, ": -1") || strings.Contains(out, ": []") && name == "findings" {
			t.Errorf("%s: SARIF restates defaults:\n%s", name, out)
		}
		if name == "none" && !strings.Contains(out, `"results": []`) {
			t.Errorf("an empty run lost its results array:\n%s", out)
		}
	}
}
