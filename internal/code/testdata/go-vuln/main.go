package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"time"
)

const metricsURL = "https://metrics.vulnshop.test/v1/push"

var insecure = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

func push(body io.Reader) error {
	req, err := http.NewRequest(http.MethodPost, metricsURL, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("API_TOKEN"))
	resp, err := insecure.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func preview(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get(r.URL.Query().Get("url"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(w, resp.Body)
}

var follower = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		req.Header.Set("Authorization", via[0].Header.Get("Authorization"))
		return nil
	},
}

const billingURL = "http://billing.vulnshop.test/charge"

const apiKey = "gk4Vt8Wz3Nb6Yc1Hd5Kf0Rjvs7Qm2Xr9Lp"

func charge(body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, billingURL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", apiKey)
	return follower.Do(req)
}
