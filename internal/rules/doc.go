// Package rules is plumb's one rule-pack format: detection rules as data
// (value patterns, error signatures, key names, confirmable paths), each
// rule with positive and negative samples that a test executes. Packs are
// YAML files embedded from packs/; Parse compiles a pack once into private
// fields and returns an *Error naming the pack, rule and field for any
// flaw. README.md documents the format.
package rules
