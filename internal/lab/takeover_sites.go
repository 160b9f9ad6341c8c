package lab

import (
	"net/http"
)

// Takeover responders: a service's "nothing is claimed here" page behind a
// CNAME to that service, and look-alikes that must never count as one (a
// healthy API's JSON 404 and an nginx default 404 behind the same service).
const (
	UnclaimedHerokuHost = "shop.vulnshop.test"    // CNAME to an unclaimed Heroku app: "no such app"
	GenericErrorHost    = "oldshop.vulnshop.test" // CNAME to Heroku, but an nginx default 404
	HealthyCNAMEHost    = "status.cleanshop.test" // CNAME to a live Heroku app: a healthy JSON API
)

// takeoverRecords are the DNS records of the responders.
var takeoverRecords = []string{
	UnclaimedHerokuHost + ". CNAME vulnshop-shop.herokuapp.com.",
	"vulnshop-shop.herokuapp.com. A 127.0.0.1",
	GenericErrorHost + ". CNAME vulnshop-old.herokuapp.com.",
	"vulnshop-old.herokuapp.com. A 127.0.0.1",
	HealthyCNAMEHost + ". CNAME cleanshop-web.herokuapp.com.",
}

// herokuNoSuchApp is the shape of Heroku's unclaimed-app page (fact:
// the error page iframe, as listed by can-i-take-over-xyz, CC-BY-4.0).
const herokuNoSuchApp = `<!DOCTYPE html><html><head><title>Heroku | No such app</title></head>
<body><iframe src="//www.herokucdn.com/error-pages/no-such-app.html"></iframe></body></html>`

const nginx404 = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

func takeoverSites() []Site {
	status := func(code int, ctype, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(code)
			_, _ = w.Write([]byte(body))
		})
	}
	return []Site{
		{Host: UnclaimedHerokuHost, Handler: status(http.StatusNotFound, "text/html; charset=utf-8", herokuNoSuchApp)},
		{Host: GenericErrorHost, Handler: status(http.StatusNotFound, "text/html", nginx404)},
		{Host: HealthyCNAMEHost, Handler: status(http.StatusNotFound, "application/json", `{"error":"not found"}`)},
	}
}
