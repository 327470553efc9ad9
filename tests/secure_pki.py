"""The secure tests' certificates, made with openssl in a directory of the test's own: a test CA and a
server certificate it signed for 127.0.0.1 and localhost (ca.crt, server.crt, server.key)."""
import os
import subprocess

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def openssl(directory, *args):
    subprocess.run(["openssl", *args], check=True, cwd=directory,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca_and_server(directory):
    def p(name):
        return os.path.join(directory, name)
    openssl(directory, "req", "-x509", *EC, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "3650",
            "-subj", "/CN=meetstream test CA")
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl(directory, "req", *EC, "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=127.0.0.1")
    openssl(directory, "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-out", p("server.crt"), "-days", "3650", "-extfile", p("ext.cnf"))
