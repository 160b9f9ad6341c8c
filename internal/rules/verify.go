package rules

import (
	"errors"
	"fmt"
)

// Verify runs every rule's samples and returns one error per sample that
// does not decide as written (nil when all do). The table test runs it on
// every embedded pack; a caller loading a pack from a user can run it too.
func (p *Pack) Verify() error {
	var errs []error
	for _, r := range p.Rules {
		for _, err := range r.SampleErrors() {
			errs = append(errs, &Error{Pack: p.Name, Rule: r.ID, Err: err})
		}
	}
	return errors.Join(errs...)
}

// SampleErrors runs the rule's samples: positives must match (with the
// captures they expect), negatives must not.
func (r *Rule) SampleErrors() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, s := range r.Positive {
		ok, why := r.matchSample(s)
		if !ok {
			fail("positive %q: %s", s.Text, why)
		}
	}
	for _, s := range r.Negative {
		if ok, _ := r.matchSample(s); ok {
			fail("negative %q matches", s.Text)
		}
	}
	for _, v := range r.ValuePositive {
		if !r.MatchValue(v) {
			fail("value_positive %q does not match", v)
		}
	}
	for _, v := range r.ValueNegative {
		if r.MatchValue(v) {
			fail("value_negative %q matches", v)
		}
	}
	return errs
}

// matchSample applies the rule's kind of match to one sample.
func (r *Rule) matchSample(s Sample) (bool, string) {
	switch r.kind {
	case KindKey:
		return r.MatchKey(s.Text), "the key does not match"
	case KindPath:
		return r.Confirm([]byte(s.Text), ""), "the content does not confirm the path"
	case KindOperation:
		op, err := ParseOperationSample(s.Text)
		if err != nil {
			return false, err.Error()
		}
		_, ok := r.MatchOperation(op)
		return ok, "the operation does not match"
	}
	m, ok := r.Find(NewText(s.Text))
	if !ok {
		return false, "no match"
	}
	for name, want := range s.Expect {
		if got := m.Capture(name); got != want {
			return false, fmt.Sprintf("capture %s = %q, want %q", name, got, want)
		}
	}
	return true, ""
}
