// faultproxy: a reverse proxy in front of the test control plane's
// kube-apiserver that injects, on command, the API faults a real server does
// not offer on demand: 403 on one verb, bursts of 500s or 429s, latency,
// watch streams cut after N events, requests accepted and never answered.
//
// Its control endpoint is the simulator's (POST /_sim/scenario with an "api"
// object, GET /_sim/scenario, GET /_sim/stats; see tests/scenarios/README.md),
// so a test injects the same faults on both. It serves plain HTTP on loopback
// and authenticates upstream with the client certificate it is given.
//
//	faultproxy -upstream URL -ca FILE -cert FILE -key FILE [-listen ADDR]
//
// It prints "ready http://ADDR" on stdout once it listens.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// rule is one "forbidden" entry: requests it matches get 403 (empty = any,
// as in the simulator; "*" also means any).
type rule struct {
	Verb      string `json:"verb,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Group     string `json:"group,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// faults is the scenario's "api" object. Counts go down as requests use them.
type faults struct {
	Forbidden     []rule `json:"forbidden,omitempty"`
	Error500      int    `json:"error500,omitempty"`
	Error429      int    `json:"error429,omitempty"`
	Hang          int    `json:"hang,omitempty"`
	LatencyMs     int    `json:"latencyMs,omitempty"`
	WatchCutAfter int    `json:"watchCutAfter,omitempty"`
}

type proxy struct {
	mu       sync.Mutex
	api      faults
	requests int
	byVerb   map[string]int

	user     string
	upstream *url.URL
	client   *http.Client // for watches, which are copied event by event
	rp       *httputil.ReverseProxy
}

// target is what a request asks of the API: the names RBAC uses.
type target struct {
	verb, group, resource, namespace, name string
}

// parse reads /api/v1/... and /apis/GROUP/VERSION/... paths; ok is false for
// discovery, /version, /readyz and the like.
func parse(r *http.Request) (t target, ok bool) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		t.group = parts[1]
		parts = parts[3:]
	default:
		return t, false
	}
	// namespaces/NS/RESOURCE/... is namespaced; namespaces/NAME[/status|finalize] is the namespace itself.
	if len(parts) >= 3 && parts[0] == "namespaces" && parts[2] != "status" && parts[2] != "finalize" {
		t.namespace = parts[1]
		parts = parts[2:]
	}
	t.resource = parts[0]
	if len(parts) > 1 {
		t.name = parts[1]
	}
	if len(parts) > 2 {
		t.resource += "/" + parts[2]
	}
	watch := r.URL.Query().Get("watch")
	switch r.Method {
	case http.MethodGet:
		switch {
		case watch == "true" || watch == "1":
			t.verb = "watch"
		case t.name != "":
			t.verb = "get"
		default:
			t.verb = "list"
		}
	case http.MethodPost:
		t.verb = "create"
	case http.MethodPut:
		t.verb = "update"
	case http.MethodPatch:
		t.verb = "patch"
	case http.MethodDelete:
		t.verb = "delete"
		if t.name == "" {
			t.verb = "deletecollection"
		}
	}
	return t, true
}

func matches(want, got string) bool { return want == "" || want == "*" || want == got }

func (p *proxy) forbidden(t target) bool {
	for _, f := range p.api.Forbidden {
		base, _, _ := strings.Cut(t.resource, "/")
		if matches(f.Verb, t.verb) && (matches(f.Resource, t.resource) || f.Resource == base) &&
			(f.Group == "*" || f.Group == t.group) && (f.Namespace == "" || t.namespace == "" || f.Namespace == t.namespace) {
			return true
		}
	}
	return false
}

// status writes a metav1.Status as the apiserver does.
func status(w http.ResponseWriter, code int, reason, msg string, details map[string]any) {
	body := map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": msg, "reason": reason, "code": code}
	if details != nil {
		body["details"] = details
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

func (p *proxy) deny(w http.ResponseWriter, t target) {
	what := t.resource
	if t.group != "" {
		what += "." + t.group
	}
	if t.name != "" {
		what += fmt.Sprintf(" %q", t.name)
	}
	msg := fmt.Sprintf("%s is forbidden: User %q cannot %s resource %q in API group %q", what, p.user, t.verb, t.resource, t.group)
	if t.namespace != "" {
		msg += fmt.Sprintf(" in the namespace %q", t.namespace)
	} else {
		msg += " at the cluster scope"
	}
	details := map[string]any{"kind": t.resource}
	if t.name != "" {
		details["name"] = t.name
	}
	if t.group != "" {
		details["group"] = t.group
	}
	status(w, http.StatusForbidden, "Forbidden", msg, details)
}

// accessReview answers a SelfSubjectAccessReview that a forbidden rule
// matches with allowed: false (kubectl auth can-i, the tools' preflight);
// it returns false when the upstream server should answer it.
func (p *proxy) accessReview(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	ra, ok := reviewAttributes(body)
	if !ok {
		return false
	}
	t := target{verb: ra["verb"], group: ra["group"], resource: ra["resource"], namespace: ra["namespace"]}
	if ra["subresource"] != "" {
		t.resource += "/" + ra["subresource"]
	}
	p.mu.Lock()
	deny := p.forbidden(t)
	p.mu.Unlock()
	if !deny {
		return false
	}
	attrs := map[string]any{}
	for k, v := range ra {
		if v != "" {
			attrs[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{
		"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
		"metadata": map[string]any{"creationTimestamp": nil},
		"spec":     map[string]any{"resourceAttributes": attrs},
		"status":   map[string]any{"allowed": false, "reason": "denied by the test fault proxy"},
	})
	return true
}

// reviewAttributes reads spec.resourceAttributes of a review sent as JSON or,
// as kubectl sends it, as Kubernetes protobuf ("k8s\x00" + runtime.Unknown).
func reviewAttributes(body []byte) (map[string]string, bool) {
	names := []string{1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
	out := map[string]string{}
	if raw, ok := bytes.CutPrefix(body, []byte("k8s\x00")); ok {
		review := protoField(raw, 2)                  // runtime.Unknown.raw
		attrs := protoField(protoField(review, 2), 1) // .spec.resourceAttributes
		if attrs == nil {
			return nil, false
		}
		for n := 1; n < len(names); n++ {
			out[names[n]] = string(protoField(attrs, n))
		}
		return out, true
	}
	var review struct {
		Spec struct {
			ResourceAttributes map[string]any `json:"resourceAttributes"`
		} `json:"spec"`
	}
	if json.Unmarshal(body, &review) != nil || review.Spec.ResourceAttributes == nil {
		return nil, false
	}
	for _, k := range names[1:] {
		out[k], _ = review.Spec.ResourceAttributes[k].(string)
	}
	return out, true
}

// protoField is the bytes of the first length-delimited field number n of a
// protobuf message (nil when absent or malformed); other fields are skipped.
func protoField(msg []byte, n int) []byte {
	varint := func() (uint64, bool) {
		var v uint64
		for shift := 0; shift < 64 && len(msg) > 0; shift += 7 {
			b := msg[0]
			msg = msg[1:]
			v |= uint64(b&0x7f) << shift
			if b < 0x80 {
				return v, true
			}
		}
		return 0, false
	}
	for len(msg) > 0 {
		key, ok := varint()
		if !ok {
			return nil
		}
		switch key & 7 {
		case 0:
			if _, ok := varint(); !ok {
				return nil
			}
		case 1:
			if len(msg) < 8 {
				return nil
			}
			msg = msg[8:]
		case 5:
			if len(msg) < 4 {
				return nil
			}
			msg = msg[4:]
		case 2:
			l, ok := varint()
			if !ok || l > uint64(len(msg)) {
				return nil
			}
			if int(key>>3) == n {
				return msg[:l]
			}
			msg = msg[l:]
		default:
			return nil
		}
	}
	return nil
}

// control is the simulator's /_sim endpoint, for the "api" faults only.
func (p *proxy) control(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.URL.Path {
	case "/_sim/scenario":
		if r.Method == http.MethodPost {
			var patch map[string]json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
				status(w, 400, "BadRequest", "scenario: "+err.Error(), nil)
				return
			}
			for k := range patch {
				if k != "api" {
					status(w, 400, "BadRequest", "scenario: the fault proxy in front of a real server has only \"api\" faults, not "+k, nil)
					return
				}
			}
			if err := p.merge(patch["api"]); err != nil {
				status(w, 400, "BadRequest", "scenario: "+err.Error(), nil)
				return
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"api": p.api})
	case "/_sim/stats":
		json.NewEncoder(w).Encode(map[string]any{"requests": p.requests, "byVerb": p.byVerb})
	default:
		status(w, 404, "NotFound", "no control endpoint "+r.URL.Path, nil)
	}
}

// merge applies a JSON merge patch (RFC 7386) to the api faults: null removes a key.
func (p *proxy) merge(patch json.RawMessage) error {
	if len(patch) == 0 || string(patch) == "null" {
		p.api = faults{}
		return nil
	}
	cur, _ := json.Marshal(p.api)
	var m, d map[string]any
	json.Unmarshal(cur, &m)
	if err := json.Unmarshal(patch, &d); err != nil {
		return err
	}
	for k, v := range d {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	merged, _ := json.Marshal(m)
	var next faults
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil {
		return err
	}
	p.api = next
	return nil
}

// take counts the request and says which fault, if any, it meets.
func (p *proxy) take(r *http.Request, t target, isAPI bool) (fault string, latency time.Duration, cut int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	p.byVerb[r.Method]++
	latency = time.Duration(p.api.LatencyMs) * time.Millisecond
	cut = p.api.WatchCutAfter
	switch {
	case isAPI && p.forbidden(t):
		fault = "403"
	case p.api.Hang > 0:
		p.api.Hang--
		fault = "hang"
	case p.api.Error500 > 0:
		p.api.Error500--
		fault = "500"
	case p.api.Error429 > 0:
		p.api.Error429--
		fault = "429"
	}
	return
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim") {
		p.control(w, r)
		return
	}
	t, isAPI := parse(r)
	fault, latency, cut := p.take(r, t, isAPI)
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if fault == "" && isAPI && (r.Method == http.MethodPatch || r.Method == http.MethodPut) && t.name != "" {
		create := t
		create.verb = "create"
		p.mu.Lock()
		denied := p.forbidden(create)
		p.mu.Unlock()
		if denied && !p.exists(r) {
			fault, t = "403", create
		}
	}
	switch fault {
	case "403":
		p.deny(w, t)
		return
	case "hang": // accepted, never answered: the client's own deadline must end it
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Minute):
		}
		return
	case "500":
		status(w, 500, "InternalError", "Internal error occurred: injected server error (fault proxy error500)", nil)
		return
	case "429":
		w.Header().Set("Retry-After", "1")
		status(w, 429, "TooManyRequests", "Too many requests, please try again later.",
			map[string]any{"retryAfterSeconds": 1})
		return
	}
	if isAPI && r.Method == http.MethodPost && t.resource == "selfsubjectaccessreviews" && p.accessReview(w, r) {
		return
	}
	if isAPI && t.verb == "watch" && cut > 0 {
		p.watchCut(w, r, cut)
		return
	}
	p.rp.ServeHTTP(w, r)
}

// exists asks upstream whether the object a PATCH or PUT names exists: an
// apply or update that would create it needs the create verb too (the
// apiserver authorizes that in its create-on-update path).
func (p *proxy) exists(r *http.Request) bool {
	u := *p.upstream
	u.Path = r.URL.Path
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return true
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return true
	}
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound
}

// watchCut copies a watch stream event by event and ends it cleanly after n
// events, as a server closing the connection would (the client must resume).
func (p *proxy) watchCut(w http.ResponseWriter, r *http.Request, n int) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	u := *p.upstream
	u.Path, u.RawQuery = r.URL.Path, r.URL.RawQuery
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), nil)
	if err != nil {
		status(w, 500, "InternalError", err.Error(), nil)
		return
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	resp, err := p.client.Do(req)
	if err != nil {
		status(w, 502, "InternalError", "fault proxy: "+err.Error(), nil)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	flusher, _ := w.(http.Flusher)
	in := bufio.NewReader(resp.Body)
	for sent := 0; sent < n; sent++ {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			w.Write(line)
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve plain HTTP on (loopback)")
	upstream := flag.String("upstream", "", "the kube-apiserver's URL")
	caFile := flag.String("ca", "", "the cluster's CA certificate")
	certFile := flag.String("cert", "", "client certificate for the apiserver")
	keyFile := flag.String("key", "", "its key")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("faultproxy: ")
	up, err := url.Parse(*upstream)
	if err != nil || up.Host == "" {
		log.Fatalf("-upstream: not a URL: %q", *upstream)
	}
	ca, err := os.ReadFile(*caFile)
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		log.Fatalf("%s: no certificate", *caFile)
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
		ForceAttemptHTTP2:   true,
		MaxIdleConnsPerHost: 32,
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		log.Fatal(err)
	}
	// 403 messages name the user as the apiserver would: the certificate's CN.
	p := &proxy{user: leaf.Subject.CommonName, upstream: up, byVerb: map[string]int{}, client: &http.Client{Transport: transport}}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.Host = up.Host
		},
		Transport:     transport,
		FlushInterval: -1, // watches and log streams go through as they come
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ready http://%s\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, p))
}
