// Command remotetarget registers a replica bucket as a MinIO replication target of a
// source bucket and prints the target's ARN. MinIO's bucket replication, unlike AWS's,
// names its destination by that ARN, which only MinIO's admin API hands out (the call
// `mc admin bucket remote add` makes); the replication rules themselves are then put
// through the S3 API, as Phoenix's backup storage declares them.
//
// Usage: remotetarget SOURCE_URL SOURCE_BUCKET TARGET_URL TARGET_BUCKET REGION
// with MINIO_ACCESS_KEY and MINIO_SECRET_KEY for both servers.
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/minio/madmin-go/v3"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: remotetarget SOURCE_URL SOURCE_BUCKET TARGET_URL TARGET_BUCKET REGION")
		os.Exit(2)
	}
	source, _ := url.Parse(os.Args[1])
	target, _ := url.Parse(os.Args[3])
	key, secret := os.Getenv("MINIO_ACCESS_KEY"), os.Getenv("MINIO_SECRET_KEY")
	admin, err := madmin.New(source.Host, key, secret, source.Scheme == "https")
	if err != nil {
		fail(err)
	}
	arn, err := admin.SetRemoteTarget(context.Background(), os.Args[2], &madmin.BucketTarget{
		SourceBucket: os.Args[2],
		Endpoint:     target.Host,
		Secure:       target.Scheme == "https",
		Credentials:  &madmin.Credentials{AccessKey: key, SecretKey: secret},
		TargetBucket: os.Args[4],
		Type:         madmin.ReplicationService,
		Region:       os.Args[5],
		API:          "s3v4",
	})
	if err != nil {
		fail(err)
	}
	fmt.Println(arn)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "remotetarget:", err)
	os.Exit(1)
}
