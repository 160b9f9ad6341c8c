package input

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plumbsec/plumb/internal/rules"
)

func TestSignatureSamples(t *testing.T) {
	t.Parallel()
	stackPos := map[string]string{
		"Werkzeug debugger":          `<title>Console // Werkzeug Debugger</title>`,
		"Python traceback":           "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in main",
		"Java stack trace":           "java.lang.NullPointerException\n\tat com.shop.api.BookController.get(BookController.java:42)",
		"Go panic":                   "panic: runtime error: index out of range\n\ngoroutine 17 [running]:\nmain.handler()",
		"Node.js stack trace":        "TypeError: x is undefined\n    at Object.<anonymous> (/srv/app/index.js:10:5)",
		".NET stack trace":           "   at Shop.Api.BooksController.Get(Int32 id) in C:\\src\\Shop\\BooksController.cs:line 27",
		"PHP error":                  "<b>Fatal error</b>:  Uncaught Error: Call to undefined function in <b>/var/www/html/api.php</b> on line <b>12</b>",
		"Ruby backtrace":             "/app/controllers/books_controller.rb:12:in `show'",
		"Django debug page":          "<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>",
		"Starlette/FastAPI debugger": "<html><head><title>Starlette Debugger</title></head>",
		"ASP.NET error page":         "<h1>Server Error in '/' Application.</h1>",
		"Rails debug page":           "<title>Action Controller: Exception caught</title>",
		"Laravel stack trace":        `{"exception":"Illuminate\\Database\\QueryException"}`,
	}
	sqlPos := map[string]string{
		"MySQL":                "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version",
		"PostgreSQL":           `ERROR:  unterminated quoted string at or near "'" LINE 1`,
		"SQLite":               `sqlite3.OperationalError: unrecognized token: "'plumb"`,
		"Microsoft SQL Server": "Unclosed quotation mark after the character string 'plumb'.",
		"Oracle":               "ORA-01756: quoted string not properly terminated",
		"generic SQL":          "SQLSTATE[42000]: Syntax error or access violation",
		"MongoDB":              `MongoServerError: unknown operator: $foo`,
	}
	negatives := []string{
		`{"books":[{"id":1,"book_title":"Hacking APIs"}]}`,
		`{"error":"invalid_id","message":"id must be an integer"}`,
		`<h1>Not Found</h1><p>The requested URL was not found on the server.</p>`,
		`{"title":"Learning SQL","summary":"covers syntax, joins and errors"}`,
		`{"order":"ORA-1234","note":"at home (see notes.js)"}`,
		`{"message":"panic mode is off","tip":"run goroutine leak checks"}`,
		`{"file":"report.py","line":3}`,
		`Mongo is a database; we use Postgres`,
	}
	check := func(sigs *rules.Pack, pos map[string]string) {
		seen := map[string]bool{}
		for fam, sample := range pos {
			g, _, ok := match(sigs, []byte(sample))
			if !ok || g.Family != fam {
				t.Errorf("%s sample matched %v %q", fam, ok, g.Family)
			}
		}
		for _, g := range sigs.Rules {
			if _, ok := pos[g.Title]; !ok {
				t.Errorf("family %s has no positive sample", g.Title)
			}
			seen[g.Title] = true
		}
		for _, n := range negatives {
			if g, m, ok := match(sigs, []byte(n)); ok {
				t.Errorf("negative %q matched %s (%q)", n, g.Family, m)
			}
		}
	}
	check(loadPack(t, stackPack), stackPos)
	check(loadPack(t, sqlPack), sqlPos)
}

func loadPack(tb testing.TB, name string) *rules.Pack {
	tb.Helper()
	p, err := rules.Load(name)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// The first rule that matches decides the family, so every rule's own
// positive samples must come out of the whole pack as its family, and
// no negative sample of any rule may match any rule of the pack.
func TestPackSamplesThroughMatch(t *testing.T) {
	t.Parallel()
	for _, name := range []string{stackPack, sqlPack} {
		p := loadPack(t, name)
		for _, r := range p.Rules {
			for _, s := range r.Positive {
				if g, _, ok := match(p, []byte(s.Text)); !ok || g.Family != r.Title {
					t.Errorf("%s/%s: positive %q gave %v %q", name, r.ID, s.Text, ok, g.Family)
				}
			}
			for _, s := range r.Negative {
				if g, m, ok := match(p, []byte(s.Text)); ok {
					t.Errorf("%s/%s: negative %q matched %s (%q)", name, r.ID, s.Text, g.ID, m)
				}
			}
		}
	}
}

// FuzzMatch: the matchers take untrusted bodies; they must never panic
// and the excerpt must come from the body.
func FuzzMatch(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		f.Fatal("no seed corpus in testdata/")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	tbls := []*rules.Pack{loadPack(f, stackPack), loadPack(f, sqlPack)}
	paths := loadPack(f, pathPack)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tbl := range tbls {
			if _, m, ok := match(tbl, body); ok && len(m) > 160 {
				t.Fatalf("excerpt too long: %d", len(m))
			}
		}
		for _, d := range paths.Rules {
			_ = d.Confirm(body, "")
		}
		_ = allowedMethods("GET, " + string(body))
	})
}
