package code

import (
	"bytes"
	"path"
	"strings"
)

// lang is the kind of a file plumb code reads.
type lang uint8

const (
	langNone lang = iota
	langPython
	langJS // JavaScript and TypeScript, with or without JSX
	langGo
	langEnv
	langYAML
	langJSON
	langTOML
	langINI
	langProperties
	langTerraform
)

var langNames = [...]string{"", "python", "javascript", "go", "env", "yaml", "json", "toml", "ini", "properties", "terraform"}

func (l lang) String() string { return langNames[l] }

var langByExt = map[string]lang{
	".py": langPython, ".pyw": langPython,
	".js": langJS, ".mjs": langJS, ".cjs": langJS, ".jsx": langJS, ".ts": langJS, ".mts": langJS, ".cts": langJS, ".tsx": langJS,
	".go":  langGo,
	".env": langEnv,
	".yml": langYAML, ".yaml": langYAML,
	".json": langJSON,
	".toml": langTOML,
	".ini":  langINI, ".cfg": langINI, ".conf": langINI,
	".properties": langProperties,
	".tf":         langTerraform, ".tfvars": langTerraform,
}

// classify returns the language of a file by its name, langNone for files
// plumb code does not read (lock files, minified bundles, declarations).
func classify(name string) lang {
	base := strings.ToLower(path.Base(name))
	switch {
	case base == ".env" || strings.HasPrefix(base, ".env."):
		if strings.HasSuffix(base, ".example") || strings.HasSuffix(base, ".sample") || strings.HasSuffix(base, ".template") {
			return langNone // placeholders by intent
		}
		return langEnv
	case strings.HasSuffix(base, ".min.js"), strings.HasSuffix(base, ".d.ts"), strings.HasSuffix(base, ".map"),
		base == "package-lock.json", base == "composer.lock", base == "yarn.lock", base == "pnpm-lock.yaml", base == "tsconfig.json":
		return langNone
	}
	return langByExt[path.Ext(base)]
}

// testPath reports whether a file is a test or fixture: tokens there are
// usually fakes, so hard-coded secrets found in them are rated low.
func testPath(name string) bool {
	base := path.Base(name)
	if strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") ||
		strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") || base == "conftest.py" ||
		strings.Contains(base, "_test_") || strings.Contains(base, "testdata") || strings.HasPrefix(base, "example") {
		return true
	}
	for _, dir := range strings.Split(path.Dir(name), "/") {
		switch dir {
		case "test", "tests", "__tests__", "testdata", "fixtures", "spec", "testutil", "testutils", "testing", "mocks", "e2e",
			"example", "examples", "_examples", "samples":
			return true
		}
	}
	return false
}

// buildIgnored says a Go file is excluded from every build by a
// "//go:build ignore" (or "// +build ignore") line before its package
// clause: a generator or a one-off script run by hand, not part of the
// program, so its patterns are rated as a test's are.
func buildIgnored(src []byte) bool {
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		l := strings.TrimSpace(string(line))
		switch {
		case strings.HasPrefix(l, "//go:build ") || strings.HasPrefix(l, "// +build "):
			for _, w := range strings.Fields(l[strings.IndexByte(l, ' ')+1:]) {
				if w == "ignore" {
					return true
				}
			}
		case l == "" || strings.HasPrefix(l, "//"):
		default:
			return false // the package clause (or a block comment): constraints end
		}
	}
	return false
}
