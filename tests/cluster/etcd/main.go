// Command etcd runs one embedded etcd member for the test control plane:
// loopback only, no fsync (the data is thrown away with the cluster).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		log.Fatalf("etcd: bad URL %q: %v", s, err)
	}
	return *u
}

func main() {
	dataDir := flag.String("data-dir", "", "directory for the member's data (required)")
	client := flag.String("listen-client-urls", "http://127.0.0.1:2379", "client URL")
	peer := flag.String("listen-peer-urls", "http://127.0.0.1:2380", "peer URL")
	flag.Parse()
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "usage: etcd --data-dir=DIR [--listen-client-urls=URL] [--listen-peer-urls=URL]")
		os.Exit(2)
	}

	cfg := embed.NewConfig()
	cfg.Name = "node0"
	cfg.Dir = *dataDir
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "error"
	c, p := mustURL(*client), mustURL(*peer)
	cfg.ListenClientUrls = []url.URL{c}
	cfg.AdvertiseClientUrls = []url.URL{c}
	cfg.ListenPeerUrls = []url.URL{p}
	cfg.AdvertisePeerUrls = []url.URL{p}
	cfg.InitialCluster = cfg.Name + "=" + p.String()

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-e.Server.ReadyNotify():
		fmt.Fprintln(os.Stderr, "etcd: ready on", c.String())
	case err := <-e.Err():
		log.Fatalf("etcd: %v", err)
	case <-sig:
		e.Close()
		return
	}
	select {
	case err := <-e.Err():
		log.Fatalf("etcd: %v", err)
	case <-sig:
		e.Close()
	}
}
