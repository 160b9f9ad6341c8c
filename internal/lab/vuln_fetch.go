package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// metadataIP is the cloud instance metadata address the lab emulates.
const metadataIP = "169.254.169.254"

// imdsListing is the shape of an EC2 instance metadata listing (facts: the
// category names of the IMDS documentation).
const imdsListing = "ami-id\nami-launch-index\nami-manifest-path\nhostname\niam/\ninstance-id\ninstance-type\nlocal-ipv4\nmac\n"

// withFetcher lets the shop's server-side fetches reach h (the collector).
func (v *vulnShop) withFetcher(h http.Handler) *vulnShop {
	v.fetch = h
	return v
}

// serverFetch plays the API's HTTP client (python-requests) in the
// hermetic lab: the collector and the shop itself are served in-process,
// the metadata address is emulated, any other loopback address is a real
// connection (plumb's own callback listener lives there; closed ports
// refuse), and every other name fails to resolve. Errors read like the
// client's. The flaw: the caller's Authorization header goes along.
func (v *vulnShop) serverFetch(raw, auth string) (int, string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, "", fmt.Errorf("invalid URL %q: no scheme supplied", raw)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	loopback := false
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		loopback = true
	}
	switch {
	case host == collectorHost && v.fetch != nil:
		return v.inProcess(v.fetch, u, auth)
	case host == vulnHost || (loopback && (port == "80" || port == "443")):
		if u.Path == "/api/v1/preview" {
			return 0, "", errors.New("lab: the preview does not preview itself")
		}
		return v.inProcess(v.self, u, auth) // the app behind its proxy, on its loopback port
	case host == metadataIP:
		if strings.HasPrefix(u.Path, "/latest/meta-data") {
			return http.StatusOK, imdsListing, nil
		}
		return http.StatusNotFound, "", nil
	case loopback:
		return loopbackGet(u.String(), auth)
	}
	return 0, "", fmt.Errorf("HTTPConnectionPool(host='%s', port=%s): Max retries exceeded with url: %s (Caused by "+
		"NameResolutionError(\"Failed to resolve '%s' ([Errno -2] Name or service not known)\"))", host, port, u.EscapedPath(), host)
}

func (v *vulnShop) inProcess(h http.Handler, u *url.URL, auth string) (int, string, error) {
	if h == nil {
		return 0, "", errors.New("lab: nothing serves " + u.Host)
	}
	req := httptest.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("User-Agent", "python-requests/2.26.0")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b := rec.Body.String()
	return rec.Code, b[:min(len(b), 200)], nil
}

// loopbackClient reaches loopback addresses only: the lab never sends a
// packet beyond them.
var loopbackClient = &http.Client{
	Timeout: 2 * time.Second,
	Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				return nil, fmt.Errorf("lab: %s is not a loopback address", addr)
			}
			return (&net.Dialer{Timeout: time.Second}).DialContext(ctx, network, addr)
		},
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func loopbackGet(raw, auth string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("User-Agent", "python-requests/2.26.0")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := loopbackClient.Do(req)
	if err != nil {
		u := req.URL
		why := "Connection refused"
		if !errors.Is(err, syscall.ECONNREFUSED) {
			why = "timed out"
		}
		return 0, "", fmt.Errorf("HTTPConnectionPool(host='%s', port=%s): Max retries exceeded with url: %s (Caused by "+
			"NewConnectionError('<urllib3.connection.HTTPConnection object>: Failed to establish a new connection: "+
			"[Errno 111] %s'))", u.Hostname(), u.Port(), u.EscapedPath(), why)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	return resp.StatusCode, string(b), nil
}
