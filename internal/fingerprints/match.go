package fingerprints

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// MatchHTTP reports whether a response (status, headers, body) is this
// service's "unclaimed resource" page, and returns which matcher fired and on
// what, for evidence. Call it only for a service the name's DNS chain already
// identified (IdentifyCNAME/IdentifyIP): the matchers are specific, but a
// service's own error page is only evidence on that service's address.
func (s *Service) MatchHTTP(status int, header http.Header, body []byte) (matched bool, why string) {
	for i := range s.HTTP {
		if ok, w := s.HTTP[i].match(status, header, body); ok {
			return true, s.ID + "/" + s.HTTP[i].ID + ": " + w
		}
	}
	return false, ""
}

func (m *HTTPMatcher) match(status int, header http.Header, body []byte) (bool, string) {
	var why []string
	if len(m.Status) > 0 {
		if !slices.Contains(m.Status, status) {
			return false, ""
		}
		why = append(why, "status "+strconv.Itoa(status))
	}
	for i, tok := range m.body {
		if !bytes.Contains(body, tok) {
			return false, ""
		}
		why = append(why, fmt.Sprintf("body contains %q", m.Body[i]))
	}
	if len(m.bodyAny) > 0 {
		hit := -1
		for i, tok := range m.bodyAny {
			if bytes.Contains(body, tok) {
				hit = i
				break
			}
		}
		if hit < 0 {
			return false, ""
		}
		why = append(why, fmt.Sprintf("body contains %q", m.BodyAny[hit]))
	}
	for _, tok := range m.notBody {
		if bytes.Contains(body, tok) {
			return false, ""
		}
	}
	if m.re != nil {
		loc := m.re.FindIndex(body)
		if loc == nil {
			return false, ""
		}
		why = append(why, fmt.Sprintf("body matches %q", m.BodyRegex))
	}
	for _, h := range m.Headers {
		ok, w := h.match(header)
		if !ok {
			return false, ""
		}
		why = append(why, w)
	}
	return true, strings.Join(why, "; ")
}

func (h HeaderMatch) match(header http.Header) (bool, string) {
	vals := header.Values(h.Name)
	if len(vals) == 0 {
		return false, ""
	}
	if len(h.Contains) == 0 {
		return true, "header " + h.Name + " present"
	}
	for _, v := range vals {
		lv := strings.ToLower(v)
		for _, want := range h.Contains {
			if strings.Contains(lv, strings.ToLower(want)) {
				return true, fmt.Sprintf("header %s contains %q", h.Name, want)
			}
		}
	}
	return false, ""
}
