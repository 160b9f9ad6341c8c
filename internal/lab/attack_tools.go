package lab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The vulnerable shop's diagnostics paste their parameter into a shell
// command line. The lab never runs a shell: miniShell interprets the few
// commands an injection test uses (echo, printf, sleep, id) the way sh
// would split the line, and fakes the diagnostic command itself.

// maxShellSleep bounds a sleep an injected command asks for.
const maxShellSleep = 5 * time.Second

// miniShell runs line as `sh -c` would run the few commands it knows and
// returns their output. The diagnostic command (ping, nslookup) answers
// for any argument.
func miniShell(line string) string {
	var out strings.Builder
	for _, cmd := range shellCommands(line) {
		out.WriteString(runCommand(cmd))
	}
	return out.String()
}

// substitution matches $(…) and `…`, which sh runs first.
var substitution = regexp.MustCompile("\\$\\(([^()]*)\\)|`([^`]*)`")

// shellCommands splits a command line at ; | & && || and newlines, after
// running command substitutions (their output replaces them).
func shellCommands(line string) [][]string {
	line = substitution.ReplaceAllStringFunc(line, func(m string) string {
		inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(m, "$("), "`"), ")")
		inner = strings.TrimSuffix(inner, "`")
		return strings.TrimSpace(miniShell(inner))
	})
	var out [][]string
	for _, part := range regexp.MustCompile(`&&|\|\||[;|&\n]`).Split(line, -1) {
		if f := shellWords(part); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// shellWords splits on blanks, honouring single and double quotes.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	in, quote, quoted := false, byte(0), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote, quoted = c, true
		case c == ' ' || c == '\t':
			if in || quoted {
				out = append(out, cur.String())
				cur.Reset()
			}
			in, quoted = false, false
			continue
		default:
			cur.WriteByte(c)
		}
		in = true
	}
	if in || quoted {
		out = append(out, cur.String())
	}
	return out
}

func runCommand(args []string) string {
	switch args[0] {
	case "echo":
		return strings.Join(args[1:], " ") + "\n"
	case "printf":
		if len(args) > 2 && args[1] == "%s" {
			return strings.Join(args[2:], "")
		}
		if len(args) > 1 {
			return args[1]
		}
	case "sleep":
		if len(args) > 1 {
			if n, err := strconv.ParseFloat(args[1], 64); err == nil && n > 0 {
				time.Sleep(min(time.Duration(n*float64(time.Second)), maxShellSleep))
			}
		}
	case "id":
		return "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n"
	case "ping":
		host := args[len(args)-1]
		return fmt.Sprintf("PING %s (127.0.0.1) 56(84) bytes of data.\n1 packets transmitted, 1 received, 0%% packet loss\n", host)
	case "nslookup":
		return "Server:\t127.0.0.53\nName:\t" + args[len(args)-1] + "\nAddress: 127.0.0.1\n"
	}
	return ""
}

// cleanHostname is what the fixed diagnostics accept.
var cleanHostname = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$`)

// The e-mail validator of the vulnerable shop is the regular expression
// of its spec, whose nested quantifier ((x+)*) backtracks exponentially
// when a long run of letters is not followed by a valid domain.
// Backtracking costs about 2^n steps for a run of n letters; the lab
// charges 2^(n-9) µs of sleep for it (0.5 s at a run of 28, 2 s at 30,
// capped at 6 s) instead of burning the machine's CPU, and answers as the
// regular expression would.

// maxBacktrack caps the sleep the model charges.
const maxBacktrack = 6 * time.Second

// emailShape is a linear-time equivalent of the spec's pattern (Go's RE2
// never backtracks): the clean shop uses it, the vulnerable one uses it
// for its verdict after paying the backtracking cost.
var emailShape = regexp.MustCompile(`^[a-zA-Z0-9](?:(?:[\-.]|_+)?[a-zA-Z0-9]+)*@[a-z0-9]+\.(?:[a-z]{2,3}|[a-z]{2,3}\.[a-z]{2,3})$`)

// backtrackCost is the time the spec's pattern spends on s in a
// backtracking engine (Python's re): exponential in the longest run of
// letters and digits when the whole does not match, nothing when it does.
func backtrackCost(s string) time.Duration {
	if emailShape.MatchString(s) {
		return 0
	}
	run, best := 0, 0
	for i := 0; i < len(s) && s[i] != '@'; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	switch {
	case best <= 9:
		return 0
	case best >= 9+23:
		return maxBacktrack
	}
	return min(time.Duration(1<<(best-9))*time.Microsecond, maxBacktrack)
}
