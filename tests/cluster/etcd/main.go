// Command etcd is etcd v3.6 built from this module (go install refuses
// etcd's server module, which has replace lines). It keeps etcd's own
// command line, because kwokctl drives it with etcd's flags and reads
// `etcd --version` to choose them.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
