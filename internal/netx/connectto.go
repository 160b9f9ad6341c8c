package netx

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ConnectTo redirects connections like curl's --connect-to
// HOST1:PORT1:HOST2:PORT2: a connection bound for FromHost:FromPort goes to
// ToHost:ToPort instead. Empty FromHost / zero FromPort match anything;
// empty ToHost / zero ToPort keep the original. The URL, Host header, SNI
// and certificate check are unchanged.
type ConnectTo struct {
	FromHost string
	FromPort int
	ToHost   string
	ToPort   int
}

// ParseConnectTo parses "HOST1:PORT1:HOST2:PORT2"; IPv6 hosts go in
// brackets ("[::1]:443:[::1]:8443").
func ParseConnectTo(s string) (ConnectTo, error) {
	c, err := parseConnectTo(s)
	if err != nil {
		return ConnectTo{}, fmt.Errorf("connect-to %q: %w", s, err)
	}
	return c, nil
}

var errConnectToFormat = errors.New("want HOST1:PORT1:HOST2:PORT2")

func parseConnectTo(s string) (ConnectTo, error) {
	var c ConnectTo
	var err error
	var ok bool
	var p1 string
	if c.FromHost, s, err = cutHost(s); err != nil {
		return c, err
	}
	if s, ok = strings.CutPrefix(s, ":"); !ok {
		return c, errConnectToFormat
	}
	if p1, s, ok = strings.Cut(s, ":"); !ok {
		return c, errConnectToFormat
	}
	if c.ToHost, s, err = cutHost(s); err != nil {
		return c, err
	}
	if s, ok = strings.CutPrefix(s, ":"); !ok {
		return c, errConnectToFormat
	}
	if c.FromPort, err = parsePort(p1); err != nil {
		return c, err
	}
	if c.ToPort, err = parsePort(s); err != nil {
		return c, err
	}
	return c, nil
}

// cutHost reads a host (bracketed IPv6 or up to the next ':') off s.
func cutHost(s string) (host, rest string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", errors.New("missing ']'")
		}
		ip, perr := netip.ParseAddr(s[1:end])
		if perr != nil || !ip.Is6() || ip.Zone() != "" {
			return "", "", fmt.Errorf("bad IPv6 address %q", s[1:end])
		}
		return ip.String(), s[end+1:], nil
	}
	host, _, _ = strings.Cut(s, ":")
	rest = s[len(host):]
	for _, r := range host {
		ok := r == '-' || r == '.' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return "", "", fmt.Errorf("bad host %q", host)
		}
	}
	return strings.TrimSuffix(strings.ToLower(host), "."), rest, nil
}

func parsePort(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || p == 0 || len(s) > 5 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return int(p), nil
}

// String renders c back in HOST1:PORT1:HOST2:PORT2 form.
func (c ConnectTo) String() string {
	return hostField(c.FromHost) + ":" + portField(c.FromPort) + ":" + hostField(c.ToHost) + ":" + portField(c.ToPort)
}

func hostField(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

func portField(p int) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p)
}

// matches reports whether a connection to host:port is redirected by c.
func (c ConnectTo) matches(host string, port int) bool {
	return (c.FromHost == "" || strings.EqualFold(c.FromHost, host)) && (c.FromPort == 0 || c.FromPort == port)
}

// applyConnectTo returns where a connection to host:port really goes: the
// first matching rule wins, as in curl.
func applyConnectTo(rules []ConnectTo, host string, port int) (string, int) {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	for _, c := range rules {
		if c.matches(host, port) {
			if c.ToHost != "" {
				host = c.ToHost
			}
			if c.ToPort != 0 {
				port = c.ToPort
			}
			return host, port
		}
	}
	return host, port
}
