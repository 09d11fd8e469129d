// A stand-in for a program the live Kubernetes test cannot run (Grafana, Loki and Tempo are
// AGPL and never installed here): it ignores its arguments and answers HTTP on every port of
// the component — 200 on every path, so the kubelet's probes pass, and a valid exposition on
// /metrics, so Prometheus' scrape of it is up. It proves the pod, its Service, DNS name and
// probes work on the real node, not that the program does. GET /__gstack/files lists every
// file under /etc/gstack (path and size, a line each): what the pod's config volumes hold. The
// ports are stamped at build time: go build -ldflags "-X main.ports=3000,9095"
// (compiler/tests/kubernetes_live.rs).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

var ports = ""

// list writes every file under dir with its size, following symlinks and skipping the
// `..data` / `..<timestamp>` entries by which the kubelet swaps a volume's contents.
func list(w http.ResponseWriter, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "..") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if i, err := os.Stat(p); err == nil && i.IsDir() {
			list(w, p)
		} else if err == nil {
			fmt.Fprintf(w, "%s %d\n", p, i.Size())
		}
	}
}

func main() {
	name := os.Args[0]
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			fmt.Fprintf(w, "# TYPE gstack_standin_up gauge\ngstack_standin_up{program=%q} 1\n", name)
			return
		}
		if r.URL.Path == "/__gstack/files" {
			list(w, "/etc/gstack")
			return
		}
		fmt.Fprintln(w, "ok (gstack stand-in)")
	})
	errs := make(chan error)
	for _, p := range strings.Split(ports, ",") {
		if p == "" {
			continue
		}
		go func(addr string) { errs <- http.ListenAndServe(addr, h) }(":" + p)
	}
	log.Printf("%s stand-in on ports %s", name, ports)
	log.Fatal(<-errs)
}
