#!/bin/sh
# kubectl that answers every call with text that is not JSON, and exit 0.
case " $* " in *" version "*) echo 'Client Version: v1.32.0'; exit 0 ;; esac
echo 'this is not JSON'
