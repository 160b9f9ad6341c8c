// Package input holds the input-validation and misconfiguration checks of
// OWASP API8:2023 that need active, read-only probes: debug and admin
// endpoints left exposed, stack traces and SQL/NoSQL errors in responses
// to harmless malformed values, and dangerous HTTP methods (TRACE, OPTIONS
// advertising methods the spec does not declare).
package input

import (
	"regexp"
	"strings"
)

// sig is one error signature: a family (shown to the user) and a pattern.
// The tables are data; signatures_test.go holds a positive and a negative
// sample for every entry.
type sig struct {
	Family string
	RE     *regexp.Regexp
	Hints  []string // lower-case literals one of which every match contains: a cheap prefilter
}

func s(family, re string, hints ...string) sig {
	return sig{Family: family, RE: regexp.MustCompile(re), Hints: hints}
}

// stackSigs recognise stack traces and debugger pages. Each needs the
// shape of a frame or a runtime banner, not just the word "error".
var stackSigs = []sig{
	s("Werkzeug debugger", `Werkzeug Debugger|\?__debugger__=yes&(amp;)?cmd=resource`, "werkzeug", "__debugger__"),
	s("Python traceback", `Traceback \(most recent call last\):`, "traceback"),
	s("Python traceback", `File "[^"\n]+\.py", line \d+, in \w+`, ".py\""),
	s("Java stack trace", `\bat (?:[a-zA-Z_$][\w$]*\.){2,}[\w$<>]+\([\w$]+\.java:\d+\)`, ".java:"),
	s("Go panic", `goroutine \d+ \[running\]:`, "goroutine "),
	s("Node.js stack trace", `\n\s+at [^\n]{1,200}\((?:/|[A-Za-z]:\\|file://)[^\n()]+\.(?:js|mjs|cjs|ts):\d+:\d+\)`, "js:", "ts:"),
	s(".NET stack trace", `\bat [\w.<>`+"`"+`]+\([^)\n]*\) in [^\n]+\.cs:line \d+`, ".cs:line"),
	s("PHP error", `(?:Fatal error|Warning|Parse error)</b>?:? .{1,300} in (?:<b>)?/[^\s<]+\.php(?:</b>)? on line`, " on line"),
	s("Ruby backtrace", "/[\\w./-]+\\.rb:\\d+:in `", ".rb:"),
}

// sqlSigs recognise database error messages that reach the client.
// Sources: the databases' own error texts (facts).
var sqlSigs = []sig{
	s("MySQL", `You have an error in your SQL syntax|check the manual that corresponds to your (?:MySQL|MariaDB) server version`, "sql syntax", "mysql", "mariadb"),
	s("MySQL", `\bmysqli?_(?:fetch|query|num_rows)\w*\(\)`, "mysql"),
	s("PostgreSQL", `\bPG::SyntaxError\b|org\.postgresql\.util\.PSQLException|psycopg2?\.(?:errors\.)?\w*(?:SyntaxError|DataError)`, "pg::", "postgresql", "psycopg"),
	s("PostgreSQL", `(?:syntax error at or near|unterminated quoted string at or near|invalid input syntax for (?:type )?\w+)`, "syntax error at or near", "unterminated quoted string", "invalid input syntax"),
	s("SQLite", `sqlite3\.OperationalError|\bSQLITE_ERROR\b|SQLiteException|unrecognized token: "`, "sqlite", "unrecognized token"),
	s("Microsoft SQL Server", `Unclosed quotation mark after the character string|Microsoft OLE DB Provider for SQL Server|System\.Data\.SqlClient\.SqlException`, "unclosed quotation", "sql server", "sqlclient"),
	s("Oracle", `\bORA-\d{5}: |quoted string not properly terminated`, "ora-", "quoted string not properly"),
	s("generic SQL", `\bSQLSTATE\[\w{5}\]|SQL syntax.{0,40}error|JDBCException|\bSQLException\b`, "sqlstate", "sql syntax", "jdbcexception", "sqlexception"),
	s("MongoDB", `\bMongo(?:Server)?Error\b|CastError: Cast to ObjectId failed|unknown (?:top level )?operator: \$\w+`, "mongo", "casterror", "operator: $"),
}

// match returns the first signature that matches body, with the matched
// text (cut to 160 bytes).
func match(sigs []sig, body []byte) (sig, string, bool) {
	lower := strings.ToLower(string(body))
	for _, g := range sigs {
		if !hinted(g.Hints, lower) {
			continue
		}
		if loc := g.RE.FindIndex(body); loc != nil {
			m := strings.TrimSpace(string(body[loc[0]:min(loc[1], loc[0]+160)]))
			return g, m, true
		}
	}
	return sig{}, "", false
}

// hinted says whether lower contains one of hints (no hints: always).
func hinted(hints []string, lower string) bool {
	for _, h := range hints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return len(hints) == 0
}
