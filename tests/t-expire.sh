#!/bin/sh
# t-expire.sh: the expiry index and the queue of adds (tests/expiretest.c):
# hash spread, a bulk load sorted once, random sets and removes against a
# model, 64-bit times.
. "$(dirname "$0")/lib.sh"

X=$TOP/$B/tests/expiretest
t "a /16 of IPv4 spreads over the hash buckets" "$X" hash
t "and over the slots of the queue of adds" "$X" queue
t "bulk load comes out in order of time, later adds in place" "$X" bulk
t "random sets and removes match a model" "$X" model
t "times past 2106 kept whole and in order" "$X" time64
finish
