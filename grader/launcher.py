"""Start the kernel under its limits: `python -I -S launcher.py SPEC_JSON -- COMMAND...`.

Runs as its own tiny process (stdlib only, no site-packages) between the kernel manager and
the sandbox: it moves itself into the grading run's cgroups, sets resource limits, and then
replaces itself with COMMAND, so every process the kernel starts inherits both.
"""

import json
import os
import resource
import sys

RLIMITS = {
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "nproc": resource.RLIMIT_NPROC,
}


def main(argv: list[str]) -> None:
    spec = json.loads(argv[1])
    command = argv[argv.index("--") + 1 :]
    for procs_file in spec.get("cgroup_procs", []):
        with open(procs_file, "w") as f:
            f.write(str(os.getpid()))
    for name, value in spec.get("rlimits", {}).items():
        resource.setrlimit(RLIMITS[name], (value, value))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv)
