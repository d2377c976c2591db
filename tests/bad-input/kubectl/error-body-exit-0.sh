#!/bin/sh
# kubectl printing an API Status error as its output, yet exiting 0.
echo '{"kind":"Status","apiVersion":"v1","status":"Failure","message":"secrets is forbidden","reason":"Forbidden","code":403}'
