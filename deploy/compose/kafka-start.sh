#!/bin/bash
# The broker of docker-compose.yml (the official apache/kafka image, KRaft combined mode):
# writes server.properties, formats the storage once with the SCRAM logins of `broker`
# (itself) and `admin` (the provision job; nobody could log in to create the first
# SCRAM user later), then runs the broker. Every other login and every ACL is created
# by `campaign kafka provision` / `campaign subscribers`.
#
# Listeners: SASL_SSL :9092 (the services, advertised as kafka:9092), EXTERNAL SASL_SSL
# :9094 (departments; advertised as $KAFKA_EXTERNAL_ADDRESS), and the controller on
# localhost:9093 with PLAIN and a static broker-only user (KRaft cannot check SCRAM on
# the controller listener; PLAINTEXT there would make User:ANONYMOUS a super user).
# TLS: $KAFKA_TLS_DIR holds broker.pem (PKCS#8 key + certificate for the names kafka and
# the external host) and ca.crt, mounted at /etc/kafka/tls.
set -euo pipefail

: "${KAFKA_BROKER_PASSWORD:?set KAFKA_BROKER_PASSWORD}"
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}"
EXTERNAL=${KAFKA_EXTERNAL_ADDRESS:-kafka:9094}
TLS=${KAFKA_TLS_MOUNT:-/etc/kafka/tls}
DATA=${KAFKA_DATA_DIR:-/var/lib/kafka/data}
HOME_DIR=${KAFKA_HOME:-/opt/kafka}
RUN=${KAFKA_RUN_DIR:-/tmp/campaign}
for password in "$KAFKA_BROKER_PASSWORD" "$KAFKA_ADMIN_PASSWORD"; do
  # --add-scram and JAAS both quote these: keep to URL-safe characters.
  if [[ ! "$password" =~ ^[A-Za-z0-9_-]{24,}$ ]]; then
    echo "KAFKA_BROKER_PASSWORD / KAFKA_ADMIN_PASSWORD: 须为至少 24 个 URL 安全字符 / must be 24+ URL-safe characters" >&2
    exit 2
  fi
done
for file in broker.pem ca.crt; do
  if [ ! -r "$TLS/$file" ]; then
    echo "$TLS/$file: 缺少 TLS 文件（见 README）/ missing TLS file (see README)" >&2
    exit 2
  fi
done

umask 077
mkdir -p "$RUN"
cat > "$RUN/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=SASL_SSL://:9092,EXTERNAL://:9094,CONTROLLER://localhost:9093
advertised.listeners=SASL_SSL://kafka:9092,EXTERNAL://${EXTERNAL}
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXTERNAL:SASL_SSL
inter.broker.listener.name=SASL_SSL
controller.listener.names=CONTROLLER
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${KAFKA_BROKER_PASSWORD}";
listener.name.external.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.external.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="${KAFKA_BROKER_PASSWORD}" user_broker="${KAFKA_BROKER_PASSWORD}";
ssl.keystore.type=PEM
ssl.keystore.location=${TLS}/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=${TLS}/ca.crt
ssl.client.auth=none
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker;User:admin
auto.create.topics.enable=false
log.dirs=${DATA}
num.partitions=6
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

# The health check's login (kafka-broker-api-versions.sh --command-config).
cat > "$RUN/admin.properties" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=${TLS}/ca.crt
PROPERTIES

if [ ! -f "$DATA/meta.properties" ]; then
  cluster_id=$("$HOME_DIR/bin/kafka-storage.sh" random-uuid)
  "$HOME_DIR/bin/kafka-storage.sh" format --standalone -t "$cluster_id" -c "$RUN/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=broker,password=${KAFKA_BROKER_PASSWORD}]" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
fi
exec "$HOME_DIR/bin/kafka-server-start.sh" "$RUN/server.properties"
