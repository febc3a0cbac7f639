#!/bin/sh
# Init process of every probe container. It runs the request scripts that
# the host drops into /probe/req (1.sh, 2.sh, ...) in order, inside the
# container and in the container's SELinux context, and writes each one's
# output to /probe/res/N.out and its exit status to /probe/res/N.rc.
#
# Results go to files because the container's stdout is a pipe owned by
# conmon, which runs as unconfined_t: SELinux closes it when the container
# process starts, so nothing printed here reaches the host.
echo up >/probe/res/up
n=1
while :; do
	if [ -f "/probe/req/$n.sh" ]; then
		sh "/probe/req/$n.sh" >"/probe/res/$n.out" 2>&1
		echo "$?" >"/probe/res/$n.rc"
		n=$((n + 1))
	else
		sleep 1
	fi
done
