package lab

import (
	"fmt"
	"html"
	"net/http"
)

// Pages imitating a Flask app run with the Werkzeug development server and
// debug mode on: the fingerprints scanners look for.

const werkzeugServer = "Werkzeug/2.0.2 Python/3.9.7"

const werkzeug404 = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`

// werkzeugTraceback is the debugger's 500 page for an unhandled exception
// while calling the metrics upstream; %s is the failing book id.
const werkzeugTraceback = `<!doctype html>
<html lang=en>
  <head>
    <title>requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.vulnshop.test', port=443): Max retries exceeded with url: /v1/push // Werkzeug Debugger</title>
    <link rel="stylesheet" href="?__debugger__=yes&amp;cmd=resource&amp;f=style.css">
    <script src="?__debugger__=yes&amp;cmd=resource&amp;f=debugger.js"></script>
    <script>
      var CONSOLE_MODE = false,
          EVALEX = true,
          EVALEX_TRUSTED = false,
          SECRET = "Xk3lB9vQ2mTzR7pLc1Wd";
    </script>
  </head>
  <body style="background-color: #fff">
    <div class="debugger">
<h1>requests.exceptions.ConnectionError</h1>
<div class="detail">
  <p class="errormsg">requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.vulnshop.test', port=443): Max retries exceeded with url: /v1/push (Caused by NewConnectionError('&lt;urllib3.connection.HTTPSConnection object at 0x7f3a2c1d5e50&gt;: Failed to establish a new connection: [Errno -2] Name or service not known'))</p>
</div>
<h2 class="traceback">Traceback <em>(most recent call last)</em></h2>
<div class="traceback">
  <ul>
<li><div class="frame" id="frame-139887">
  <h4>File <cite class="filename">"/usr/local/lib/python3.9/site-packages/flask/app.py"</cite>, line <em class="line">2073</em>, in <code class="function">wsgi_app</code></h4>
  <div class="source"><pre class="line current"><span class="ws">            </span>response = self.full_dispatch_request()</pre></div>
</div>
<li><div class="frame" id="frame-139888">
  <h4>File <cite class="filename">"/app/api_views/books.py"</cite>, line <em class="line">42</em>, in <code class="function">get_by_title</code></h4>
  <div class="source"><pre class="line current"><span class="ws">    </span>requests.post(METRICS_URL, json={"book_id": int(%s)}, headers={"Authorization": "Bearer " + token})</pre></div>
</div>
<li><div class="frame" id="frame-139889">
  <h4>File <cite class="filename">"/usr/local/lib/python3.9/site-packages/requests/adapters.py"</cite>, line <em class="line">519</em>, in <code class="function">send</code></h4>
  <div class="source"><pre class="line current"><span class="ws">            </span>raise ConnectionError(e, request=request)</pre></div>
</div>
  </ul>
  <blockquote>requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.vulnshop.test', port=443): Max retries exceeded with url: /v1/push</blockquote>
</div>
<div class="footer">
  Brought to you by <strong class="arthur">DON'T PANIC</strong>, your
  friendly Werkzeug powered traceback interpreter.
</div>
    </div>
  </body>
</html>
<!--

Traceback (most recent call last):
  File "/usr/local/lib/python3.9/site-packages/flask/app.py", line 2073, in wsgi_app
    response = self.full_dispatch_request()
  File "/app/api_views/books.py", line 42, in get_by_title
    requests.post(METRICS_URL, json={"book_id": int(%s)}, headers={"Authorization": "Bearer " + token})
requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.vulnshop.test', port=443): Max retries exceeded with url: /v1/push

-->
`

const werkzeugConsole = `<!doctype html>
<html lang=en>
  <head>
    <title>Console // Werkzeug Debugger</title>
    <link rel="stylesheet" href="?__debugger__=yes&amp;cmd=resource&amp;f=style.css">
    <script src="?__debugger__=yes&amp;cmd=resource&amp;f=debugger.js"></script>
    <script>
      var CONSOLE_MODE = true,
          EVALEX = true,
          EVALEX_TRUSTED = false,
          SECRET = "Xk3lB9vQ2mTzR7pLc1Wd";
    </script>
  </head>
  <body style="background-color: #fff">
    <div class="debugger">
<h1>Interactive Console</h1>
<div class="explanation">
In this console you can execute Python expressions in the context of the
application.  The initial namespace was created by the debugger automatically.
</div>
<div class="console"><div class="inner">The Console requires JavaScript.</div></div>
<div class="footer">
  Brought to you by <strong class="arthur">DON'T PANIC</strong>, your
  friendly Werkzeug powered traceback interpreter.
</div>
    </div>
    <div class="console-ready">The console is ready.</div>
  </body>
</html>
`

func writeHTML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func werkzeugNotFound(w http.ResponseWriter, _ *http.Request) {
	writeHTML(w, http.StatusNotFound, werkzeug404)
}

func werkzeugError(w http.ResponseWriter, id string) {
	q := html.EscapeString(fmt.Sprintf("%q", id))
	writeHTML(w, http.StatusInternalServerError, fmt.Sprintf(werkzeugTraceback, q, q))
}
