//! The verification checks, variant by variant: BW-DF-037 (package signatures), BW-DF-038 (TLS certificates in
//! a build step) and BW-DF-039 (TLS certificates turned off by ENV). Every variant has a positive case and a
//! near miss; a positive gives exactly one hit from its check, on the instruction's lines, and none from the
//! other two; a near miss gives none from any of them.

use bulwark_misconfig::dockerfile::{parse, CHECKS};

/// The three checks under test.
const IDS: [&str; 3] = ["BW-DF-037", "BW-DF-038", "BW-DF-039"];

/// (check id that must fire, or "" for none; instructions after `FROM debian:12`; text the message must hold).
const CASES: &[(&str, &str, &str)] = &[
    // apt-get options.
    ("BW-DF-037", "RUN apt-get install -y --allow-unauthenticated curl", "apt-get --allow-unauthenticated"),
    ("", "RUN echo \"# never use apt-get --allow-unauthenticated\" >> /etc/motd && apt-get install -y curl", ""),
    ("BW-DF-037", "RUN apt-get update && apt-get -qq -y --force-yes install curl", "apt-get --force-yes"),
    ("", "RUN apt-get -o Dpkg::Options::=--force-confold install -y curl", ""),
    ("BW-DF-037", "RUN apt-get -o APT::Get::AllowUnauthenticated=true install -y curl", "APT::Get::AllowUnauthenticated=true"),
    ("", "RUN apt-get -o APT::Get::AllowUnauthenticated=false install -y curl", ""),
    ("BW-DF-037", "RUN apt-get update --allow-insecure-repositories", "apt-get --allow-insecure-repositories"),
    ("", "RUN apt-get update --allow-releaseinfo-change", ""),
    ("BW-DF-037", "RUN apt-get -oAcquire::AllowInsecureRepositories=1 update", "Acquire::AllowInsecureRepositories=1"),
    ("", "RUN apt-get -o Acquire::Check-Valid-Until=false update", ""),
    ("BW-DF-037", "RUN sudo apt install --allow-unauthenticated -y curl", "apt --allow-unauthenticated"),
    // [trusted=yes] sources, written several ways.
    ("BW-DF-037", "RUN echo \"deb [trusted=yes] http://repo.example.com/apt ./\" > /etc/apt/sources.list.d/x.list", "[trusted=yes] apt source in /etc/apt/sources.list.d/x.list"),
    ("", "RUN echo \"deb [trusted=yes] http://repo.example.com/apt ./\" > /tmp/notes.txt", ""),
    ("", "RUN echo \"deb [ trusted=yes ] file://$tempDir ./\" > /etc/apt/sources.list.d/temp.list", ""),
    ("BW-DF-037", "RUN echo 'deb [arch=amd64 trusted=yes] https://repo.example.com stable main' | tee /etc/apt/sources.list.d/x.list", "in /etc/apt/sources.list.d/x.list"),
    ("", "RUN echo 'deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://repo.example.com stable main' | tee /etc/apt/sources.list.d/x.list", ""),
    ("BW-DF-037", "RUN sed -i 's/^deb /deb [trusted=yes] /' /etc/apt/sources.list", "in /etc/apt/sources.list"),
    ("", "RUN sed -i 's/deb.debian.org/mirror.example.com/' /etc/apt/sources.list", ""),
    ("BW-DF-037", "RUN add-apt-repository 'deb [trusted=yes] http://ppa.example.com/ubuntu jammy main'", "add-apt-repository"),
    ("", "RUN add-apt-repository 'deb [signed-by=/usr/share/keyrings/x.gpg] http://ppa.example.com/ubuntu jammy main'", ""),
    ("BW-DF-037", "COPY <<EOF /etc/apt/sources.list.d/x.sources\nTypes: deb\nURIs: https://repo.example.com\nSuites: stable\nComponents: main\nTrusted: yes\nEOF", "Trusted: yes apt source"),
    ("", "COPY <<EOF /etc/apt/sources.list.d/x.sources\nTypes: deb\nURIs: https://repo.example.com\nSuites: stable\nComponents: main\nSigned-By: /usr/share/keyrings/x.gpg\nEOF", ""),
    ("BW-DF-037", "RUN echo 'APT::Get::AllowUnauthenticated \"true\";' > /etc/apt/apt.conf.d/99insecure", "APT::Get::AllowUnauthenticated=true in /etc/apt/apt.conf.d/99insecure"),
    ("", "RUN echo '// APT::Get::AllowUnauthenticated \"true\";' > /etc/apt/apt.conf.d/99insecure", ""),
    // yum, dnf, tdnf, microdnf, zypper.
    ("BW-DF-037", "RUN yum install -y --nogpgcheck httpd", "yum --nogpgcheck"),
    ("", "RUN yum install -y httpd && yum clean all", ""),
    ("BW-DF-037", "RUN dnf install -y --setopt=gpgcheck=0 httpd", "dnf --setopt=gpgcheck=0"),
    ("", "RUN dnf install -y --setopt=install_weak_deps=False httpd", ""),
    ("BW-DF-037", "RUN microdnf install -y --nogpgcheck curl", "microdnf --nogpgcheck"),
    ("", "RUN microdnf install -y --nodocs curl", ""),
    ("BW-DF-037", "RUN tdnf -y --nogpgcheck install curl", "tdnf --nogpgcheck"),
    ("BW-DF-037", "RUN yum-config-manager --save --setopt=epel.gpgcheck=false", "epel.gpgcheck=false"),
    ("BW-DF-037", "RUN dnf config-manager setopt epel.gpgcheck=0", "epel.gpgcheck=0"),
    ("", "RUN dnf config-manager setopt epel.enabled=1", ""),
    ("BW-DF-037", "RUN cat <<EOF > /etc/yum.repos.d/internal.repo\n[internal]\nbaseurl=https://repo.example.com/el9\ngpgcheck=0\nEOF", "gpgcheck=0 in /etc/yum.repos.d/internal.repo"),
    ("", "RUN cat <<EOF > /etc/yum.repos.d/internal.repo\n[internal]\nbaseurl=https://repo.example.com/el9\ngpgcheck=1\nEOF", ""),
    ("BW-DF-037", "RUN echo 'gpgcheck = 0' >> /etc/yum.conf", "gpgcheck=0 in /etc/yum.conf"),
    ("", "RUN echo 'gpgcheck=0' > /tmp/readme.txt", ""),
    ("BW-DF-037", "RUN sed -i 's/gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/*.repo", "gpgcheck=0 in /etc/yum.repos.d/*.repo"),
    ("", "RUN sed -i 's/enabled=0/enabled=1/' /etc/yum.repos.d/epel.repo", ""),
    ("BW-DF-037", "RUN zypper --no-gpg-checks install -y curl", "zypper --no-gpg-checks"),
    ("BW-DF-037", "RUN zypper ar -G https://download.example.com/repo internal", "zypper -G"),
    ("", "RUN zypper --gpg-auto-import-keys refresh && zypper -n in -G curl", ""),
    // rpm and apk.
    ("BW-DF-037", "RUN rpm -ivh --nosignature /tmp/tool.rpm", "rpm --nosignature"),
    ("BW-DF-037", "RUN rpm -Uvh --nodigest --nogpgcheck https://example.com/tool.rpm", "rpm --nodigest; rpm --nogpgcheck"),
    ("", "RUN rpm -qp --nosignature --queryformat '%{VERSION}' /tmp/tool.rpm", ""),
    ("BW-DF-037", "RUN apk add --allow-untrusted /tmp/glibc.apk", "apk --allow-untrusted"),
    ("", "RUN apk add --no-cache ca-certificates && apk verify", ""),
    // Where commands hide: heredoc scripts, sh -c, ONBUILD, exec form.
    ("BW-DF-037", "RUN <<EOF\nset -e\napt-get install -y --allow-unauthenticated curl\nEOF", "apt-get --allow-unauthenticated"),
    ("BW-DF-037", "RUN sh -c 'yum -y --nogpgcheck install httpd'", "yum --nogpgcheck"),
    ("BW-DF-037", "ONBUILD RUN apk add --allow-untrusted /pkgs/*.apk", "apk --allow-untrusted"),
    ("BW-DF-038", "RUN [\"curl\", \"-k\", \"-o\", \"/tmp/x\", \"https://example.com/x\"]", "curl -k"),
    ("", "RUN cat <<EOF > /usr/share/doc/notes.txt\napt-get install --allow-unauthenticated\nEOF", ""),
    ("BW-DF-037", "RUN <<EOF\nset -e\ncat > /etc/yum.repos.d/x.repo <<'REPO'\n[x]\ngpgcheck=0\nREPO\nEOF", "gpgcheck=0 in /etc/yum.repos.d/x.repo"),
    ("", "RUN <<EOF\ncat > /usr/share/doc/notes.txt <<'NOTE'\napt-get install --allow-unauthenticated x\nNOTE\nEOF", ""),
    // curl and wget.
    ("BW-DF-038", "RUN curl --insecure -o /tmp/x https://example.com/x", "curl --insecure"),
    ("BW-DF-038", "RUN curl -kL https://example.com/x | tar -xz", "curl -kL"),
    ("BW-DF-038", "RUN curl -fsSLk https://example.com/x -o /tmp/x", "curl -fsSLk"),
    ("", "RUN curl -K /etc/curl.conf https://example.com/x", ""),
    ("", "RUN curl -fsSLo k https://example.com/x && curl -H \"X-Opt: -k\" https://example.com/y", ""),
    ("BW-DF-038", "RUN curl --proxy-insecure -x https://proxy:3128 https://example.com", "curl --proxy-insecure"),
    ("BW-DF-038", "RUN wget --no-check-certificate https://example.com/x", "wget --no-check-certificate"),
    ("", "RUN wget --no-verbose https://example.com/x", ""),
    ("BW-DF-038", "RUN wget -e check_certificate=off https://example.com/x", "wget -e check_certificate=off"),
    ("", "RUN wget -e robots=off -r https://example.com/x", ""),
    ("BW-DF-038", "RUN busybox wget --no-check-certificate https://example.com/x", "wget --no-check-certificate"),
    // pip and uv.
    ("BW-DF-038", "RUN pip install --trusted-host pypi.example.com requests==2.32.3", "pip --trusted-host"),
    ("BW-DF-038", "RUN python3 -m pip install --trusted-host=pypi.example.com requests==2.32.3", "pip --trusted-host"),
    ("", "RUN pip install --index-url https://pypi.example.com/simple requests==2.32.3", ""),
    ("BW-DF-038", "RUN pip config set global.trusted-host pypi.example.com", "pip config set global.trusted-host"),
    ("", "RUN pip config set global.index-url https://pypi.example.com/simple", ""),
    ("BW-DF-038", "RUN uv pip install --allow-insecure-host pypi.example.com requests", "uv --allow-insecure-host"),
    // npm, yarn, pnpm.
    ("BW-DF-038", "RUN npm config set strict-ssl false && npm ci", "npm config set strict-ssl false"),
    ("BW-DF-038", "RUN npm set strict-ssl=false", "npm config set strict-ssl false"),
    ("BW-DF-038", "RUN yarn config set strict-ssl false", "yarn config set strict-ssl false"),
    ("BW-DF-038", "RUN yarn config set enableStrictSsl false", "yarn config set enableStrictSsl false"),
    ("", "RUN npm config set strict-ssl true && npm config get strict-ssl", ""),
    ("BW-DF-038", "RUN npm install --no-strict-ssl", "npm --no-strict-ssl"),
    ("BW-DF-038", "RUN pnpm install --strict-ssl=false", "pnpm --strict-ssl=false"),
    ("", "RUN npm install --strict-peer-deps", ""),
    // git.
    ("BW-DF-038", "RUN git -c http.sslVerify=false clone https://git.example.com/x.git", "git -c http.sslVerify=false"),
    ("BW-DF-038", "RUN git config --global http.sslVerify false", "git config http.sslVerify false"),
    ("BW-DF-038", "RUN git clone --config http.https://git.example.com/.sslverify=0 https://git.example.com/x.git", "git -c http.https://git.example.com/.sslverify=0"),
    ("", "RUN git -c http.sslVerify=true clone https://git.example.com/x.git && git config --global http.postBuffer 524288000", ""),
    // apt, yum and apk TLS options.
    ("BW-DF-038", "RUN apt-get -o Acquire::https::Verify-Peer=false update", "apt-get -o Acquire::https::Verify-Peer=false"),
    ("", "RUN apt-get -o Acquire::https::Verify-Peer=true update", ""),
    ("BW-DF-038", "RUN echo 'Acquire::https::mirror.example.com::Verify-Host \"false\";' > /etc/apt/apt.conf.d/80tls", "in /etc/apt/apt.conf.d/80tls"),
    ("BW-DF-038", "RUN yum install -y --setopt=sslverify=0 httpd", "yum --setopt=sslverify=0"),
    ("", "RUN yum install -y --setopt=sslverify=1 httpd", ""),
    ("BW-DF-038", "RUN printf '[x]\\nbaseurl=https://repo.example.com\\nsslverify=false\\n' > /etc/yum.repos.d/x.repo", "sslverify=false in /etc/yum.repos.d/x.repo"),
    ("BW-DF-038", "RUN apk add --no-check-certificate curl", "apk --no-check-certificate"),
    // Variables set inside RUN, and ARG defaults.
    ("BW-DF-038", "RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci", "RUN sets NODE_TLS_REJECT_UNAUTHORIZED=0"),
    ("", "RUN NODE_TLS_REJECT_UNAUTHORIZED=1 npm ci", ""),
    ("BW-DF-038", "RUN export PYTHONHTTPSVERIFY=0 && python3 fetch.py", "RUN sets PYTHONHTTPSVERIFY=0"),
    ("BW-DF-038", "RUN env GIT_SSL_NO_VERIFY=1 git clone https://git.example.com/x.git", "RUN sets GIT_SSL_NO_VERIFY"),
    ("", "RUN env GIT_SSL_CAINFO=/etc/ssl/certs/internal.pem git clone https://git.example.com/x.git", ""),
    ("BW-DF-038", "ARG NODE_TLS_REJECT_UNAUTHORIZED=0", "ARG NODE_TLS_REJECT_UNAUTHORIZED=0"),
    ("", "ARG NODE_TLS_REJECT_UNAUTHORIZED", ""),
    // Configuration files written by RUN or COPY.
    ("BW-DF-038", "RUN printf '[global]\\ntrusted-host = pypi.example.com\\n' > /etc/pip.conf", "trusted-host = pypi.example.com in /etc/pip.conf"),
    ("", "RUN printf '[global]\\nindex-url = https://pypi.example.com/simple\\n' > /etc/pip.conf", ""),
    ("BW-DF-038", "RUN echo \"strict-ssl=false\" >> /root/.npmrc", "strict-ssl=false in /root/.npmrc"),
    ("", "RUN echo \"registry=https://npm.example.com/\" >> /root/.npmrc", ""),
    ("BW-DF-038", "COPY <<EOF /root/.gitconfig\n[http]\n\tsslVerify = false\nEOF", "sslVerify = false in /root/.gitconfig"),
    ("", "COPY <<EOF /root/.gitconfig\n[http]\n\tsslVerify = true\nEOF", ""),
    ("BW-DF-038", "RUN echo \"check_certificate = off\" >> /etc/wgetrc", "in /etc/wgetrc"),
    ("", "RUN echo \"check_certificate = on\" >> /etc/wgetrc", ""),
    ("BW-DF-038", "RUN echo insecure >> ~/.curlrc", "insecure in ~/.curlrc"),
    ("", "RUN echo \"--max-time 30\" >> ~/.curlrc", ""),
    ("BW-DF-038", "COPY <<EOF /app/.yarnrc.yml\nenableStrictSsl: false\nEOF", "enableStrictSsl false in /app/.yarnrc.yml"),
    // ENV.
    ("BW-DF-039", "ENV NODE_TLS_REJECT_UNAUTHORIZED=0", "ENV NODE_TLS_REJECT_UNAUTHORIZED=0"),
    ("", "ENV NODE_TLS_REJECT_UNAUTHORIZED=1", ""),
    ("BW-DF-039", "ENV PYTHONHTTPSVERIFY 0", "ENV PYTHONHTTPSVERIFY=0"),
    ("", "ENV PYTHONHTTPSVERIFY=1", ""),
    ("BW-DF-039", "ENV GIT_SSL_NO_VERIFY=true", "ENV GIT_SSL_NO_VERIFY"),
    ("", "ENV GIT_SSL_CAINFO=/etc/ssl/certs/internal.pem", ""),
    ("BW-DF-039", "ENV PIP_TRUSTED_HOST=\"pypi.example.com files.example.com\"", "ENV PIP_TRUSTED_HOST=pypi.example.com files.example.com"),
    ("", "ARG PIP_TRUSTED_HOST\nENV PIP_TRUSTED_HOST=$PIP_TRUSTED_HOST", ""),
    ("BW-DF-039", "ENV npm_config_strict_ssl=false", "ENV npm_config_strict_ssl=false"),
    ("", "ENV npm_config_strict_ssl=true", ""),
    ("BW-DF-039", "ENV GOINSECURE=git.example.com", "ENV GOINSECURE=git.example.com"),
    ("", "ENV GOPROXY=https://proxy.golang.org", ""),
    ("BW-DF-039", "ENV YARN_ENABLE_STRICT_SSL=false", "ENV YARN_ENABLE_STRICT_SSL=false"),
];

/// (check id, start line, end line, message) of every hit of the three checks.
fn hits(text: &str) -> Vec<(&'static str, u32, u32, String)> {
    let dockerfile = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let mut out = Vec::new();
    for check in CHECKS.iter().filter(|c| IDS.contains(&c.meta.id)) {
        for hit in (check.run)(&dockerfile) {
            out.push((check.meta.id, hit.start_line.unwrap_or(0), hit.end_line.unwrap_or(0), hit.message));
        }
    }
    out
}

#[test]
fn every_variant_fires_and_every_near_miss_does_not() {
    let mut failures = Vec::new();
    for (id, snippet, message) in CASES {
        let text = format!("FROM debian:12\n{snippet}\n");
        let got = hits(&text);
        let last_line = u32::try_from(text.lines().count()).unwrap_or(0);
        let ok = if id.is_empty() {
            got.is_empty()
        } else {
            // Every positive snippet is one instruction: line 2 up to the last line (heredocs included).
            matches!(got.as_slice(), [(gid, s, e, m)] if gid == id && *s == 2 && *e == last_line && m.contains(message))
        };
        if !ok {
            failures.push(format!("{snippet:?}: want {id:?} with {message:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases wrong:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn cases_cover_each_check_both_ways() {
    for id in IDS {
        assert!(CASES.iter().filter(|(i, _, _)| *i == id).count() >= 7, "{id}: too few positive cases");
    }
    assert!(CASES.iter().filter(|(i, _, _)| i.is_empty()).count() >= 40, "too few near misses");
}

#[test]
fn one_hit_per_instruction_joins_its_messages() {
    let text = "FROM fedora:40\nRUN dnf install -y --nogpgcheck a \\\n && rpm -ivh --nosignature /tmp/b.rpm \\\n && curl -k -o /tmp/c https://example.com/c\n";
    let got = hits(text);
    assert_eq!(
        got,
        vec![
            ("BW-DF-037", 2, 4, "dnf --nogpgcheck; rpm --nosignature".to_string()),
            ("BW-DF-038", 2, 4, "curl -k".to_string()),
        ]
    );
}
