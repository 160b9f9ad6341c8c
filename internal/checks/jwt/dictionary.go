package jwt

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"
)

// dictionaryGz is 122,087 English words, proper names and abbreviations
// from SCOWL (the Debian wamerican-large 2020.12.07 word list, possessives
// and the lower-case words of up to five letters removed, since the
// lower-case keyspace covers those). Provenance and license:
// wordlist/licenses/SCOWL-wamerican-large.txt and the NOTICE file.
//
//go:embed wordlist/scowl-american-large.txt.gz
var dictionaryGz []byte

// maxDictionary bounds the decompressed list (it is about 1.2 MB).
const maxDictionary = 8 << 20

// dictionary returns the decompressed word list, one word per line,
// decompressed once per process.
var dictionary = sync.OnceValues(func() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(dictionaryGz))
	if err != nil {
		return nil, fmt.Errorf("jwt dictionary: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxDictionary+1))
	if err != nil {
		return nil, fmt.Errorf("jwt dictionary: %w", err)
	}
	if len(b) > maxDictionary {
		return nil, fmt.Errorf("jwt dictionary: larger than %d bytes", maxDictionary)
	}
	return b, nil
})

// DictionarySize is the number of words in the embedded dictionary.
func DictionarySize() (int, error) {
	b, err := dictionary()
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, []byte{'\n'}), nil
}

// lines iterates over the lines of b without allocating.
func lines(b []byte) func() ([]byte, bool) {
	return func() ([]byte, bool) {
		for len(b) > 0 {
			i := bytes.IndexByte(b, '\n')
			var line []byte
			if i < 0 {
				line, b = b, nil
			} else {
				line, b = b[:i], b[i+1:]
			}
			if line = bytes.TrimSuffix(line, []byte{'\r'}); len(line) > 0 {
				return line, true
			}
		}
		return nil, false
	}
}

// stringsIter iterates over a list of strings.
func stringsIter(list []string) func() ([]byte, bool) {
	i := 0
	buf := make([]byte, 0, 64)
	return func() ([]byte, bool) {
		if i >= len(list) {
			return nil, false
		}
		buf = append(buf[:0], list[i]...)
		i++
		return buf, true
	}
}
