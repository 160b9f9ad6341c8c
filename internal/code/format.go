package code

import (
	"strconv"
	"strings"
)

// percentConcat lowers printf-style formatting ("https://%s/v1" % host,
// fmt.Sprintf("https://%s/v1", host)) to a concatenation: the literal
// pieces with the arguments in place of the verbs.
func percentConcat(format string, args []*expr, line int) *expr {
	out := &expr{kind: xConcat, line: line}
	var lit strings.Builder
	k := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			lit.WriteByte(c)
			continue
		}
		if format[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		// A verb: flags, width, precision, an optional (name) or [n], then a letter.
		j := i + 1
		for j < len(format) && !isVerbLetter(format[j]) {
			j++
		}
		if j >= len(format) {
			lit.WriteString(format[i:])
			break
		}
		out.args = append(out.args, &expr{kind: xStr, s: lit.String(), line: line})
		lit.Reset()
		if k < len(args) {
			out.args = append(out.args, args[k])
		} else {
			out.args = append(out.args, &expr{kind: xOther, line: line})
		}
		k++
		i = j
	}
	out.args = append(out.args, &expr{kind: xStr, s: lit.String(), line: line})
	return foldStrings(out)
}

func isVerbLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// braceConcat lowers str.format ("https://{}/v1".format(host),
// "{base}/x".format(base=b)) to a concatenation.
func braceConcat(format string, call *expr) *expr {
	out := &expr{kind: xConcat, line: call.line}
	var lit strings.Builder
	auto := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if (c == '{' || c == '}') && i+1 < len(format) && format[i+1] == c {
			lit.WriteByte(c)
			i++
			continue
		}
		if c != '{' {
			lit.WriteByte(c)
			continue
		}
		end := strings.IndexByte(format[i:], '}')
		if end < 0 {
			lit.WriteString(format[i:])
			break
		}
		field := format[i+1 : i+end]
		if cut := strings.IndexAny(field, "!:.["); cut >= 0 {
			field = field[:cut]
		}
		var val *expr
		switch n, err := strconv.Atoi(field); {
		case field == "":
			val = call.arg(auto)
			auto++
		case err == nil:
			val = call.arg(n)
		default:
			val = call.kwarg(field)
		}
		if val == nil {
			val = &expr{kind: xOther, line: call.line}
		}
		out.args = append(out.args, &expr{kind: xStr, s: lit.String(), line: call.line}, val)
		lit.Reset()
		i += end
	}
	out.args = append(out.args, &expr{kind: xStr, s: lit.String(), line: call.line})
	return foldStrings(out)
}
