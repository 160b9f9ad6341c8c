package code

import "testing"

// Real code is full of constants whose name says token or password and
// whose value is a label: none of them is a hard-coded secret. Secrets of
// every shape still are.
func TestSecretValueTellsLabelsFromSecrets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, val string
		secret    bool
	}{
		{"input_token", "next_token", false},
		{"errExpiredToken", "expired_token", false},
		{"FORCE_CHANGE_PASSWORD", "FORCE_CHANGE_PASSWORD", false},
		{"awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY", false},
		{"progressTokenKey", "progressToken", false},
		{"AuthMechanism", "OAUTHBEARER", false},
		{"authMethodSCRAMSHA256", "scram-sha-256", false},
		{"authMethodPassword", "password", false},
		{"petstore_auth", "write:pets", false},
		{"tokenSource", "compute-metadata", false},
		{"secPasswordAttr", "@securitydefinitions.oauth2.password", false},
		{"client_secret", "abc1Def2Ghi3Jkl4", true},
		{"output_token", "Jobs[-1].JobId", false},
		{"tokenDesc", "identifier", false},
		{"secAPIKeyAttr", "@securitydefinitions.apikey", false},
		{"privateKeyAuthMagic", "openssh-key-v1\x00", false},
		{"api_key", "qwhzkvbnrtplmxcsdfgjywqetruiopz", true},
		{"API_TOKEN", "vs7Qm2Xr9Lp4Vt8Wz3Nb6Yc1Hd5Kf0Rj", true},
		{"apiKey", "xKqPzRtLmNbVwQsJ", true},
		{"DB_PASSWORD", "postgres", true},
		{"password", "hunter2hunter2", true},
		{"stripe_key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", true},
		{"Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9", true},
	} {
		if got := secretValue(tc.name, tc.val); got != tc.secret {
			t.Errorf("secretValue(%q, %q) = %v, want %v", tc.name, tc.val, got, tc.secret)
		}
	}
}

func TestLabelConstantsAreNotHardcodedSecrets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, src string }{
		{"a.go", "package a\n\nconst (\n\terrExpiredToken = \"expired_token\"\n\tenvSessionToken = \"AWS_SESSION_TOKEN\"\n)\n"},
		{"a.py", "PAGINATION = {\"input_token\": \"next_token\", \"limit_key\": \"limit\"}\n"},
		{"a.js", "const AUTH = { grantPassword: 'password_grant', tokenField: 'accessToken' };\n"},
		{"a.yaml", "auth:\n  token_header: X-Session-Token\n"},
	} {
		ff, err := analyzeBytes(tc.file, classify(tc.file), []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range ff.issues {
			t.Errorf("%s: %s at line %d (%s)", tc.file, is.rule, is.line, is.detail)
		}
	}
}
