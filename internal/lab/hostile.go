package lab

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const hostileHost = "api.hostile.test"

const (
	// gzipBombChunks × 1 MiB is what /gzipbomb expands to (1 GiB).
	gzipBombChunks = 1024
	// maxRedirectChain caps /redirect-chain/{n}.
	maxRedirectChain = 10000
	// hugeHeaderSize is the size of /headers-huge's header value.
	hugeHeaderSize = 1 << 20
)

// hostile serves endpoints that try to hang, exhaust or loop a scanner.
// Every handler ends when its client goes away or the lab closes.
type hostile struct {
	bombOnce sync.Once
	bomb     []byte
	bombErr  error
}

func newHostile() *hostile { return &hostile{} }

func (h *hostile) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", http.NotFound)
	mux.HandleFunc("GET /openapi.json", serveSpec(hostileSpec))
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /trickle", trickle)
	mux.HandleFunc("GET /huge", huge)
	mux.HandleFunc("GET /gzipbomb", h.gzipBomb)
	mux.HandleFunc("GET /loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("GET /redirect-chain/{n}", redirectChain)
	mux.HandleFunc("GET /headers-huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", strings.Repeat("a", hugeHeaderSize))
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// trickle sends one byte a second until the client leaves.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	fl, _ := w.(http.Flusher)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if _, err := w.Write([]byte{'.'}); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}

// huge streams an endless body.
func huge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	chunk := bytes.Repeat([]byte("A"), 32<<10)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func redirectChain(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n > maxRedirectChain {
		http.Error(w, "n must be an integer in [0, 10000]", http.StatusBadRequest)
		return
	}
	if n == 0 {
		_, _ = w.Write([]byte("end of chain\n"))
		return
	}
	http.Redirect(w, r, "/redirect-chain/"+strconv.Itoa(n-1), http.StatusFound)
}

func (h *hostile) gzipBomb(w http.ResponseWriter, r *http.Request) {
	h.bombOnce.Do(func() { h.bomb, h.bombErr = buildGzipBomb(gzipBombChunks) })
	if h.bombErr != nil {
		http.Error(w, "lab: gzip bomb: "+h.bombErr.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(h.bomb)))
	_, _ = w.Write(h.bomb)
}

// buildGzipBomb returns one gzip member that expands to chunks MiB of zero
// bytes. It compresses a single MiB: after a sync flush the deflate
// compressor's output for the next MiB of zeros only refers back to zeros,
// so that block sequence can be repeated as often as wanted.
func buildGzipBomb(chunks int) ([]byte, error) {
	const mib = 1 << 20
	zeros := make([]byte, mib)
	var def bytes.Buffer
	fw, err := flate.NewWriter(&def, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	var cuts [3]int
	for i := range 2 {
		if _, err := fw.Write(zeros); err != nil {
			return nil, err
		}
		if err := fw.Flush(); err != nil {
			return nil, err
		}
		cuts[i+1] = def.Len()
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	raw := def.Bytes()
	first, repeat, tail := raw[:cuts[1]], raw[cuts[1]:cuts[2]], raw[cuts[2]:]

	out := bytes.NewBuffer(make([]byte, 0, 10+len(first)+(chunks-1)*len(repeat)+len(tail)+8))
	out.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255}) // gzip header: deflate, max compression, OS unknown
	out.Write(first)
	crc := crc32.ChecksumIEEE(zeros)
	for range chunks - 1 {
		out.Write(repeat)
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	out.Write(tail)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(uint64(chunks)*mib))
	out.Write(trailer[:])
	return out.Bytes(), nil
}
