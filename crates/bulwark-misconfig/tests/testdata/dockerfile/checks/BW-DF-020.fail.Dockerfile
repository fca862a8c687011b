FROM debian:12.5
MAINTAINER Jane Doe <jane@example.com>
# expect: 2
