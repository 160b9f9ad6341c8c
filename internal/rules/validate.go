package rules

import (
	"fmt"
	"math/big"
	"strings"
)

// validator checks a match beyond its shape. quick, when set, is a cheap
// test on the whole text that lets a rule skip its pattern.
type validator struct {
	quick  func(s string) bool
	accept func(s string, i, j int) bool
}

// validators are the names a rule may list under validate.
var validators = map[string]validator{
	// luhn: the digits of the match pass the Luhn checksum (payment cards).
	"luhn": {quick: func(s string) bool { return digitRun(s, 13) }, accept: func(s string, i, j int) bool { return luhn(s[i:j]) }},
	// iban: the match passes the ISO 13616 mod-97 checksum (quick test:
	// a country code and check digits, AB12, occur somewhere).
	"iban": {quick: ibanHead, accept: func(s string, i, j int) bool { return iban(s[i:j]) }},
	// isolated: the match is not glued to more digits or dotted digits
	// (10.0.3.17 but not 1.10.0.3.17.5).
	"isolated": {accept: isolated},
}

// digitRun says whether s has n digits in a row, allowing one space or
// dash between them (the shape card numbers are written in).
func digitRun(s string, n int) bool {
	run, sep := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if run++; run >= n {
				return true
			}
			sep = false
		case (c == ' ' || c == '-') && run > 0 && !sep:
			sep = true
		default:
			run, sep = 0, false
		}
	}
	return false
}

// luhn checks the Luhn checksum of the 13 to 19 digits in s.
func luhn(s string) bool {
	sum, n, double := 0, 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
		double = !double
	}
	return n >= 13 && n <= 19 && sum%10 == 0
}

// ibanHead says whether s has two upper-case letters followed by two
// digits, the start of every IBAN.
func ibanHead(s string) bool {
	upper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 2; i+1 < len(s); i++ {
		// s[i] is the first check digit: test it first, digits are rarer.
		if digit(s[i]) && digit(s[i+1]) && upper(s[i-1]) && upper(s[i-2]) {
			return true
		}
	}
	return false
}

// iban checks the ISO 13616 mod-97 checksum.
func iban(s string) bool {
	s = strings.ReplaceAll(strings.ToUpper(s), " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	var b strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			fmt.Fprintf(&b, "%d", r-'A'+10)
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// isolated says whether s[i:j] is not glued to more digits or dotted
// digits on either side.
func isolated(s string, i, j int) bool {
	digit := func(k int) bool { return k >= 0 && k < len(s) && s[k] >= '0' && s[k] <= '9' }
	if i > 0 && (digit(i-1) || (s[i-1] == '.' && digit(i-2))) {
		return false
	}
	dotted := j < len(s) && s[j] == '.' && digit(j+1)
	return !digit(j) && !dotted
}
