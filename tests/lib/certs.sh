# Test certificates: a private CA and server certificates signed by it.
#   make_certs DIR   writes DIR/ca.pem and, each with its .key:
#     good.pem      CA-signed, names localhost (DNS only), valid now
#     expired.pem   CA-signed, names localhost, expired in 2020
#     self.pem      self-signed, names localhost
make_certs() {
	local d=$1
	mkdir -p "$d/ca-db"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
			-subj "/CN=consultd test CA" 2>/dev/null || exit 1
		openssl req -newkey rsa:2048 -nodes -keyout good.key -out good.csr \
			-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" 2>/dev/null || exit 1
		cp good.key expired.key
		: >ca-db/index.txt
		echo 01 >ca-db/serial
		cat >ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
CNF
		openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in good.csr -out good.pem \
			-days 30 -notext 2>/dev/null || exit 1
		openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in good.csr -out expired.pem \
			-startdate 20200101000000Z -enddate 20200201000000Z -notext 2>/dev/null || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 30 \
			-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" 2>/dev/null || exit 1
		chmod 644 ./*.pem ./*.key
	)
}
