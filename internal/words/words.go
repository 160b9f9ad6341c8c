// Package words writes counts and articles the way English reads: "1
// operation", "3 operations", "an AWS access key", "an 8-character
// secret". Reports, titles and evidence are read by people; "1 days" and
// "a AWS key" make a careful tool look careless.
package words

import (
	"strconv"
	"strings"
	"unicode"
)

// Count is n followed by noun, plural unless n is 1: Count(1, "day") is
// "1 day", Count(3, "entry") is "3 entries".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + Plural(noun)
}

// Plural is the regular English plural of a singular noun.
func Plural(noun string) string {
	lower := strings.ToLower(noun)
	switch {
	case noun == "":
		return noun
	case strings.HasSuffix(lower, "s"), strings.HasSuffix(lower, "x"), strings.HasSuffix(lower, "z"),
		strings.HasSuffix(lower, "ch"), strings.HasSuffix(lower, "sh"):
		return noun + "es"
	case strings.HasSuffix(lower, "y") && len(lower) > 1 && !strings.ContainsRune("aeiou", rune(lower[len(lower)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// A is phrase with the indefinite article its first sound takes: "a
// stack trace", "an internal address", "an AWS key", "an 8-character
// secret", "a user", "an hour".
func A(phrase string) string {
	if an(phrase) {
		return "an " + phrase
	}
	return "a " + phrase
}

// Vowel-sound exceptions, matched on the lower-cased start of a word.
var (
	consonantStarts = []string{"uni", "use", "usu", "usa", "uti", "ure", "uri", "eu", "ewe", "one", "once", "ubiq"}
	silentH         = []string{"hour", "honest", "honor", "honour", "heir"}
)

func an(phrase string) bool {
	word, _, _ := strings.Cut(strings.TrimLeft(phrase, `"'(`), " ")
	if word == "" {
		return false
	}
	if unicode.IsDigit(rune(word[0])) {
		return anNumber(word)
	}
	if acronym(word) {
		// Letters read by name: A, E, F, H, I, L, M, N, O, R, S, X start
		// with a vowel sound.
		return strings.ContainsRune("AEFHILMNORSX", rune(word[0]))
	}
	lower := strings.ToLower(word)
	for _, p := range consonantStarts {
		if strings.HasPrefix(lower, p) {
			return false
		}
	}
	for _, p := range silentH {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return strings.ContainsRune("aeiou", rune(lower[0]))
}

// anNumber: "an 8", "an 80", "an 11", "an 18", "an 11000", "an 18000".
func anNumber(word string) bool {
	end := 0
	for end < len(word) && (unicode.IsDigit(rune(word[end])) || word[end] == ',') {
		end++
	}
	digits := strings.ReplaceAll(word[:end], ",", "")
	if digits[0] == '8' {
		return true
	}
	n := len(digits)
	return (n == 2 || n == 5 || n == 8) && (digits[:2] == "11" || digits[:2] == "18")
}

// acronym reports whether word is read letter by letter: two or more
// letters, all capitals ("AWS", "JWT", "SQL", "HS256").
func acronym(word string) bool {
	letters := 0
	for _, r := range word {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r), r == '-', r == '/':
		default:
			return false
		}
	}
	return letters >= 2
}
