"""Whole-cluster reads with the real AWS CLI against a sandbox that injects faults.

Usage: cli_retry_storm.py RUNS CLUSTER   (endpoint, region, keys and AWS_RETRY_MODE from the environment)

One read is what a user does to see every service of a cluster with the CLI:
`aws ecs list-services` (which pages by itself) and `aws ecs describe-services` per 10 names. A
read survives when every command exits 0. The CLI runs in this process (awscli's own driver,
each command with a fresh botocore client and so a fresh retry quota, as a new `aws` process
has), and its backoff sleeps are skipped so that the measurement takes seconds: which attempts
are made does not depend on how long the CLI waited between them. Prints one JSON line.
"""
import contextlib
import io
import json
import sys
import time

from awscli.clidriver import create_clidriver


def run(driver, args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = driver.main(args + ["--output", "json"])
    return code, out.getvalue()


def read_cluster(driver, cluster):
    code, out = run(driver, ["ecs", "list-services", "--cluster", cluster])
    if code != 0:
        return False
    arns = json.loads(out)["serviceArns"]
    for start in range(0, len(arns), 10):
        code, _ = run(driver, ["ecs", "describe-services", "--cluster", cluster, "--services"] + arns[start:start + 10])
        if code != 0:
            return False
    return True


def main():
    runs, cluster = int(sys.argv[1]), sys.argv[2]
    time.sleep = lambda seconds: None
    driver = create_clidriver()
    survived = sum(1 for _ in range(runs) if read_cluster(driver, cluster))
    print(json.dumps({"runs": runs, "survived": survived}))


if __name__ == "__main__":
    main()
