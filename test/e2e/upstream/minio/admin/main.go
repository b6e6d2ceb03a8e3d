// Command admin makes the MinIO admin calls the e2e harness needs, which only MinIO's
// admin API offers (what `mc admin` does), through MinIO's own client, madmin-go:
//
//	admin remote-target SOURCE_URL SOURCE_BUCKET TARGET_URL TARGET_BUCKET REGION
//	    registers the replica bucket as a replication target and prints its ARN: MinIO's
//	    replication rules name their destination by that ARN, not the bucket's.
//	admin user URL ACCESS_KEY SECRET_KEY POLICY_NAME POLICY_FILE
//	    creates a user holding one policy (an IAM-style JSON document).
//
// MINIO_ACCESS_KEY and MINIO_SECRET_KEY are the root credentials of the servers.
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/minio/madmin-go/v3"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "remote-target":
		err = remoteTarget(os.Args[2:])
	case "user":
		err = user(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: admin remote-target SOURCE_URL SOURCE_BUCKET TARGET_URL TARGET_BUCKET REGION | admin user URL ACCESS_KEY SECRET_KEY POLICY_NAME POLICY_FILE")
	os.Exit(2)
}

func client(raw string) (*madmin.AdminClient, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	return madmin.New(u.Host, os.Getenv("MINIO_ACCESS_KEY"), os.Getenv("MINIO_SECRET_KEY"), u.Scheme == "https")
}

func remoteTarget(args []string) error {
	if len(args) != 5 {
		usage()
	}
	admin, err := client(args[0])
	if err != nil {
		return err
	}
	target, err := url.Parse(args[2])
	if err != nil {
		return err
	}
	arn, err := admin.SetRemoteTarget(context.Background(), args[1], &madmin.BucketTarget{
		SourceBucket: args[1],
		Endpoint:     target.Host,
		Secure:       target.Scheme == "https",
		Credentials:  &madmin.Credentials{AccessKey: os.Getenv("MINIO_ACCESS_KEY"), SecretKey: os.Getenv("MINIO_SECRET_KEY")},
		TargetBucket: args[3],
		Type:         madmin.ReplicationService,
		Region:       args[4],
		API:          "s3v4",
	})
	if err != nil {
		return err
	}
	fmt.Println(arn)
	return nil
}

func user(args []string) error {
	if len(args) != 5 {
		usage()
	}
	admin, err := client(args[0])
	if err != nil {
		return err
	}
	policy, err := os.ReadFile(args[4])
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := admin.AddCannedPolicy(ctx, args[3], policy); err != nil {
		return fmt.Errorf("policy %s: %w", args[3], err)
	}
	if err := admin.AddUser(ctx, args[1], args[2]); err != nil {
		return fmt.Errorf("user %s: %w", args[1], err)
	}
	_, err = admin.AttachPolicy(ctx, madmin.PolicyAssociationReq{Policies: []string{args[3]}, User: args[1]})
	return err
}
