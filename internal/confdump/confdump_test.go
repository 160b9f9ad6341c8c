package confdump

import (
	"slices"
	"strings"
	"testing"

	"github.com/plumbsec/plumb/internal/hosts"
)

// Each format: recognised by content, parsed, hosts classified by the
// name of their setting, secrets found (and never a plain flag).
func TestHarvestFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, format string
		hosts              map[string]hosts.Role
		secrets            []string
	}{
		{"flask json", `{"CORS_ORIGINS": ["https://app.shop-a.io", "https://partners.shop-a.io"], "DEBUG": true,
			"JWKS_URL": "https://keys.shop-a.io/.well-known/jwks.json", "METRICS_UPSTREAM": "https://metrics.shop-a.io/v1",
			"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2://shop:Pg-Pr0d-pw@db.shop-a.io:5432/shop",
			"REDIS_URL": "redis://cache.shop-a.io:6379/0", "CELERY_BROKER_URL": "amqp://guest:guest@queue.shop-a.io//",
			"ORDER_WEBHOOK_URL": "https://hooks.shop-a.io/orders", "OIDC_ISSUER": "https://sso.shop-a.io",
			"SECRET_KEY": "flask-insecure-7Hq2"}`, "json",
			map[string]hosts.Role{"app.shop-a.io": hosts.RoleCORSOrigin, "partners.shop-a.io": hosts.RoleCORSOrigin,
				"keys.shop-a.io": hosts.RoleJWKS, "metrics.shop-a.io": hosts.RoleUpstream, "db.shop-a.io": hosts.RoleDatabase,
				"cache.shop-a.io": hosts.RoleCache, "queue.shop-a.io": hosts.RoleQueue, "hooks.shop-a.io": hosts.RoleWebhook,
				"sso.shop-a.io": hosts.RoleIssuer},
			[]string{"SQLALCHEMY_DATABASE_URI", "CELERY_BROKER_URL", "SECRET_KEY"}},
		{"actuator env", `{"activeProfiles":["prod"],"propertySources":[{"name":"systemEnvironment","properties":{
			"LEDGER_URL":{"value":"https://ledger.shop-b.io","origin":"System Environment Property \"LEDGER_URL\""},
			"SPRING_DATASOURCE_URL":{"value":"jdbc:postgresql://pg.shop-b.io:5432/app"},
			"APP_CORS_ALLOWED_ORIGINS":{"value":"https://a.shop-b.io,https://b.shop-b.io"}}}]}`, "json",
			map[string]hosts.Role{"ledger.shop-b.io": hosts.RoleUpstream, "pg.shop-b.io": hosts.RoleDatabase,
				"a.shop-b.io": hosts.RoleCORSOrigin, "b.shop-b.io": hosts.RoleCORSOrigin}, nil},
		{"dotenv", "# app\nexport API_BASE_URL=https://api.vendor-c.io\nREDIS_HOST=cache.shop-c.io:6379\nDB_PASSWORD='hunter22'\nDEBUG=1\n", "env",
			map[string]hosts.Role{"api.vendor-c.io": hosts.RoleUpstream, "cache.shop-c.io": hosts.RoleCache}, []string{"DB_PASSWORD"}},
		{"properties", "spring.datasource.url=jdbc:mysql://mysql.shop-d.io:3306/app\nspring.datasource.password=s3cr3t-pw\n" +
			"app.cors.allowed-origins=https://web.shop-d.io\nserver.port=8080\n", "properties",
			map[string]hosts.Role{"mysql.shop-d.io": hosts.RoleDatabase, "web.shop-d.io": hosts.RoleCORSOrigin},
			[]string{"spring.datasource.password"}},
		{"yaml", "database:\n  url: postgres://app@db.shop-e.io/app\n  pool: 5\ncors:\n  origins:\n  - https://app.shop-e.io\n" +
			"oidc:\n  issuer: https://login.shop-e.io # the IdP\n", "yaml",
			map[string]hosts.Role{"db.shop-e.io": hosts.RoleDatabase, "app.shop-e.io": hosts.RoleCORSOrigin,
				"login.shop-e.io": hosts.RoleIssuer}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			format, _, ok := Recognise([]byte(c.body))
			if !ok || format != c.format {
				t.Fatalf("recognised %v as %q, want %q", ok, format, c.format)
			}
			h, err := Harvest(Parse([]byte(c.body), format))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]hosts.Role{}
			for _, x := range h.Hosts {
				got[x.Name] = x.Role
			}
			for name, role := range c.hosts {
				if got[name] != role {
					t.Errorf("host %s: role %q, want %q (all: %v)", name, got[name], role, got)
				}
			}
			if len(got) != len(c.hosts) {
				t.Errorf("hosts %v, want %v", got, c.hosts)
			}
			var keys []string
			for _, s := range h.Secrets {
				keys = append(keys, s.Key)
			}
			for _, k := range c.secrets {
				if !slices.Contains(keys, k) {
					t.Errorf("secret %s not found (got %v)", k, keys)
				}
			}
			for _, k := range keys {
				if strings.Contains(k, "DEBUG") || strings.HasSuffix(k, "port") {
					t.Errorf("flag %s counted as a secret", k)
				}
			}
		})
	}
}

// What is not a dump is not recognised: an API's JSON, an OpenAPI
// document, an HTML page, an error body.
func TestNotADump(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"books":[{"id":1,"book_title":"Go","user":"alice"}]}`,
		`{"openapi":"3.0.3","info":{"title":"Shop","version":"1"},"paths":{}}`,
		"openapi: 3.0.3\ninfo:\n  title: Shop\n  version: '1'\npaths: {}\n",
		`<!doctype html><html><body><h1>Not Found</h1></body></html>`,
		`{"status":"fail","message":"days must be an integer"}`,
		`{"next":"https://api.shop.io/books?page=2","prev":"https://api.shop.io/books?page=0"}`,
	} {
		if f, r, ok := Recognise([]byte(body)); ok {
			t.Errorf("%q recognised as %s (%s)", body, f, r)
		}
	}
}

// A hostile dump is bounded and never panics.
func FuzzParseAndHarvest(f *testing.F) {
	for _, s := range []string{`{"A_B":"https://x.io","C":{"D_E":["redis://y.io"]}}`, "A=1\nB_URL=https://z.io\n",
		"a:\n  b: c\n  - d\n", "x.y=1\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, format := range []string{"json", "env", "properties", "yaml"} {
			es := Parse(b, format)
			if len(es) > maxEntries {
				t.Fatalf("%d entries", len(es))
			}
			h, err := Harvest(es)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range h.Hosts {
				if v, ok := hosts.Valid(x.Name); !ok || v != x.Name {
					t.Fatalf("invalid host %q", x.Name)
				}
			}
		}
	})
}
