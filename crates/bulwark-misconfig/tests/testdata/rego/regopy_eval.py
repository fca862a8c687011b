"""Evaluates Rego rules with rego-cpp (PyPI `regopy`), an implementation independent of regorus, for
the differential test in tests/rego_differential.rs.

stdin: {"modules": [[path, text], ...], "data": [object, ...], "inputs": [input, ...], "queries": [[query, ...] per input]}
stdout: [[[query, value-or-{"error": text}], ...] per input], values as JSON (sets as arrays).
"""

import json
import sys

import regopy


def main():
    job = json.load(sys.stdin)
    out = []
    for input_doc, queries in zip(job["inputs"], job["queries"]):
        rego = regopy.Interpreter()
        for path, text in job["modules"]:
            rego.add_module(path, text)
        for data in job["data"]:
            rego.add_data(data)
        rego.set_input(input_doc)
        answers = []
        for query in queries:
            try:
                result = rego.query(query)
                if not result.ok():
                    answers.append([query, {"error": str(result)}])
                    continue
                text = str(result)
                value = None if text == "undefined" else json.loads(text)["expressions"][0]
                answers.append([query, value])
            except regopy.RegoError as error:
                answers.append([query, {"error": str(error)}])
        out.append(answers)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
