#!/usr/bin/env bash
# Print the Debian mirror the host's apt is configured with (first
# non-security "deb" URI), so no registry host is ever written in the repo.
set -eu
{
	grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
	grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
		awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }'
} | grep -v -e security -e nodesource -e google | head -n 1
