FROM debian:12.5
RUN curl -fsSL https://get.example.com | sh
RUN wget -qO- https://example.com/install.sh | sudo bash -s -- --yes
RUN bash -c "$(curl -fsSL https://example.com/install.sh)"
RUN python3 <(wget -qO- https://example.com/get-pip.py)
# expect: 2 3 4 5
