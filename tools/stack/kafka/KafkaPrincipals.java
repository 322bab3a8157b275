import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Applies SCRAM users, topics and ACLs in one admin session (one JVM instead of a ConfigCommand or
 * AclCommand run per line). Run by tools/stack/kafka-principal.sh through kafka-run-class.sh:
 *
 *   java KafkaPrincipals.java <admin client properties>   < spec
 *
 * The spec comes on stdin so that passwords never appear on a command line, one item a line:
 *   user <name> <password>                                        SCRAM-SHA-512, created or reset
 *   topic <name> <partitions>                                     created when missing
 *   allow|revoke <principal> <operation> <resource type> <literal|prefixed> <name>
 */
public class KafkaPrincipals {
  public static void main(String[] args) throws Exception {
    Properties client = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      client.load(in);
    }
    List<UserScramCredentialAlteration> users = new ArrayList<>();
    List<NewTopic> topics = new ArrayList<>();
    List<AclBinding> grants = new ArrayList<>();
    List<AclBindingFilter> revocations = new ArrayList<>();
    for (String line : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f[0].isEmpty() || f[0].startsWith("#")) continue;
      switch (f[0]) {
        case "user" -> users.add(new UserScramCredentialUpsertion(f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), f[2]));
        case "topic" -> topics.add(new NewTopic(f[1], Integer.parseInt(f[2]), (short) 1));
        case "allow", "revoke" -> {
          AclBinding binding = new AclBinding(
              new ResourcePattern(ResourceType.fromString(f[3]), f[5], PatternType.fromString(f[4])),
              new AccessControlEntry(f[1], "*", AclOperation.fromString(f[2]), AclPermissionType.ALLOW));
          if (f[0].equals("allow")) grants.add(binding);
          else revocations.add(binding.toFilter());
        }
        default -> throw new IllegalArgumentException("unknown spec line kind: " + f[0]);
      }
    }
    try (Admin admin = Admin.create(client)) {
      if (!users.isEmpty()) admin.alterUserScramCredentials(users).all().get();
      int created = 0;
      for (var result : admin.createTopics(topics).values().values()) {
        try {
          result.get();
          created++;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
      }
      if (!grants.isEmpty()) admin.createAcls(grants).all().get();
      if (!revocations.isEmpty()) admin.deleteAcls(revocations).all().get();
      System.out.printf("%d user(s), %d topic(s) created, %d ACL(s) granted, %d revoked%n", users.size(), created, grants.size(), revocations.size());
    }
  }
}
