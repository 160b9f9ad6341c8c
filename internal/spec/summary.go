package spec

// Summary is the JSON shape of `plumb spec FILE --format json`. It holds no
// Schema, so it is always finite.
type Summary struct {
	Source                  string          `json:"source"`
	Version                 string          `json:"version"`
	Title                   string          `json:"title"`
	APIVersion              string          `json:"api_version"`
	Operations              int             `json:"operations"`
	OperationsRequiringAuth int             `json:"operations_requiring_auth"`
	ByMethod                map[string]int  `json:"by_method"`
	SecuritySchemes         []SchemeSummary `json:"security_schemes"`
	Servers                 []Server        `json:"servers"`
	Hosts                   []HostRef       `json:"hosts"`
	Warnings                []string        `json:"warnings"`
}

// SchemeSummary is a security scheme as listed in a Summary.
type SchemeSummary struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Scheme string   `json:"scheme,omitempty"`
	In     string   `json:"in,omitempty"`
	URLs   []string `json:"urls,omitempty"`
}

// Summary condenses the API for reports.
func (a *API) Summary() Summary {
	s := Summary{
		Source: a.Source, Version: a.Version, Title: a.Title, APIVersion: a.APIVersion,
		Operations:      len(a.Operations),
		ByMethod:        map[string]int{},
		SecuritySchemes: []SchemeSummary{},
		Servers:         append([]Server{}, a.Servers...),
		Hosts:           a.Hosts(),
		Warnings:        append([]string{}, a.Warnings...),
	}
	for _, op := range a.Operations {
		s.ByMethod[op.Method]++
		if op.RequiresAuth() {
			s.OperationsRequiringAuth++
		}
	}
	for _, sc := range a.SecuritySchemes {
		ss := SchemeSummary{Name: sc.Name, Type: sc.Type, Scheme: sc.Scheme, In: sc.In}
		add := func(u string) {
			if u != "" && !containsString(ss.URLs, u) {
				ss.URLs = append(ss.URLs, u)
			}
		}
		add(sc.OpenIDConnectURL)
		for _, f := range sc.Flows {
			add(f.AuthorizationURL)
			add(f.TokenURL)
			add(f.RefreshURL)
		}
		s.SecuritySchemes = append(s.SecuritySchemes, ss)
	}
	return s
}
