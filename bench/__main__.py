"""``python -m bench NAME [options]``: run one benchmark (``python -m bench --help`` lists them)."""
from __future__ import annotations

import argparse

from . import allowances, checkin, import_roster, load, pledges, report, worker_list

BENCHMARKS = {"import": import_roster, "pledges": pledges, "checkin": checkin,
              "worker-list": worker_list, "report": report, "allowances": allowances,
              "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="name", required=True)
    for name, module in BENCHMARKS.items():
        module.add_arguments(commands.add_parser(name, help=module.__doc__.splitlines()[0]))
    arguments = parser.parse_args()
    BENCHMARKS[arguments.name].run(arguments)


if __name__ == "__main__":
    main()
