// etcd server entry point for the day2 test bed. Built by test/cluster/build.sh inside a
// generated wrapper module, so its version is the one k8s.io/kubernetes requires.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
