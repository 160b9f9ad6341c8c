package netx

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Origin is a (scheme, host, port) triple: the unit credentials are scoped
// to. Host is lower-case without a trailing dot or brackets; Port is always
// set (80/443 filled in for http/https).
type Origin struct {
	Scheme string
	Host   string
	Port   int
}

// OriginOf returns the origin of u.
func OriginOf(u *url.URL) Origin {
	o := Origin{
		Scheme: strings.ToLower(u.Scheme),
		Host:   strings.TrimSuffix(strings.ToLower(u.Hostname()), "."),
	}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		o.Port = p
	} else {
		o.Port = defaultPort(o.Scheme)
	}
	return o
}

func defaultPort(scheme string) int {
	switch scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// ParseOrigin parses "scheme://host[:port]" (a trailing "/" is allowed).
func ParseOrigin(s string) (Origin, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Origin{}, fmt.Errorf("origin %q: %w", s, err)
	}
	o := OriginOf(u)
	switch {
	case o.Scheme != "http" && o.Scheme != "https":
		return Origin{}, fmt.Errorf("origin %q: scheme must be http or https", s)
	case o.Host == "":
		return Origin{}, fmt.Errorf("origin %q: missing host", s)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return Origin{}, fmt.Errorf("origin %q: want scheme://host[:port] only", s)
	case o.Port <= 0 || o.Port > 65535:
		return Origin{}, fmt.Errorf("origin %q: bad port", s)
	}
	return o, nil
}

// String renders the origin with an explicit port, e.g. "https://x:443".
func (o Origin) String() string {
	return o.Scheme + "://" + net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
}

// HostPort is the "host:port" key used for per-host limits.
func (o Origin) HostPort() string { return net.JoinHostPort(o.Host, strconv.Itoa(o.Port)) }
