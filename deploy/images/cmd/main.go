// Command images is `make images`: it builds the container image of every
// program of the platform (or of those named) into bin/images without a
// Docker daemon; see package images.
//
//	go run ./deploy/images/cmd [-out bin/images] [-version V] [-revision R] [program ...]
//
// The version defaults to the chart's appVersion, the revision to git's
// HEAD, the images' time to SOURCE_DATE_EPOCH or else HEAD's commit time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/rapport-crm/rapport/deploy/images"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	out := flag.String("out", "bin/images", "the directory the images are written to")
	version := flag.String("version", "", "the images' version (default: the chart's appVersion)")
	revision := flag.String("revision", "", "the git commit stamped in (default: HEAD)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *root, *out, *version, *revision, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, root, out, version, revision string, names []string) error {
	stamp, err := images.DefaultStamp(ctx, root)
	if err != nil {
		return err
	}
	if version != "" {
		stamp.Version = version
	}
	if revision != "" {
		stamp.Revision = revision
	}
	var progs []images.Program
	for _, n := range names {
		p, ok := images.Lookup(n)
		if !ok {
			return fmt.Errorf("no program %q: the programs are %v", n, images.Programs())
		}
		progs = append(progs, p)
	}
	_, err = images.Build(ctx, images.Options{Root: root, Out: out, Stamp: stamp, Programs: progs, Log: os.Stdout})
	return err
}
