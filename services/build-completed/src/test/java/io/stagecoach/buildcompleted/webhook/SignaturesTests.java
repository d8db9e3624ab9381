package io.stagecoach.buildcompleted.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.stagecoach.buildcompleted.webhook.Signatures.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SignaturesTests {

    private static final String SECRET = "It's a Secret to Everybody";
    private static final String TIMESTAMP = "1531420618";
    private static final String DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    private static final String BODY = "Hello, World!";
    // printf 'v1\n%s\n%s\n%s' 1531420618 72d3162e-cc78-11e3-81ab-4c9367dc0958 'Hello, World!'
    //   | openssl dgst -sha256 -hmac "It's a Secret to Everybody"
    private static final String SIGNATURE = "v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574";

    @Test
    void signsAsOpensslDoesTheDocumentedString() {
        assertThat(Signatures.sign(bytes(SECRET), TIMESTAMP, DELIVERY, bytes(BODY))).isEqualTo(SIGNATURE);
        assertThat(new String(Signatures.signedBytes(TIMESTAMP, DELIVERY, bytes(BODY)), StandardCharsets.UTF_8))
                .isEqualTo("v1\n1531420618\n72d3162e-cc78-11e3-81ab-4c9367dc0958\nHello, World!");
    }

    @ParameterizedTest(name = "secret \"{0}\", timestamp {1}, delivery {2}, body \"{3}\", header \"{4}\" -> {5}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "NULL", value = {
            // the vector
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574 | VALID",
            // hex digits in upper case and surrounding blanks are still the same signature
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | \" v1=D1795C9B0861467785BB87F6C93AA306F6A941911ED005D26111A01F5F6B0574 \" | VALID",
            // another delivery id, another time: the signature of one delivery at one moment does not carry over
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0959 | Hello, World!  | v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574 | MISMATCH",
            "It's a Secret to Everybody | 1531420619 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574 | MISMATCH",
            // a tampered body
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!! | v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574 | MISMATCH",
            // the right string signed with another secret
            "It's a secret to everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574 | MISMATCH",
            // no header, or an empty one
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | NULL | MISSING",
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | \"\" | MISSING",
            // not v1=<64 hex digits>: the body-only GitHub form among them
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 | MALFORMED",
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b0574 | MALFORMED",
            "It's a Secret to Everybody | 1531420618 | 72d3162e-cc78-11e3-81ab-4c9367dc0958 | Hello, World!  | v1=d1795c9b0861467785bb87f6c93aa306f6a941911ed005d26111a01f5f6b057 | MALFORMED",
    })
    void verifiesTheSignatureOfTimestampDeliveryAndRawBody(String secret, String timestamp, String delivery,
            String body, String header, Verdict expected) {
        assertThat(Signatures.verify(bytes(secret), timestamp, delivery, bytes(body), header)).isEqualTo(expected);
    }

    @Test
    void aSignatureCoversEveryByteOfTheBody() {
        byte[] secret = bytes(SECRET);
        byte[] body = bytes("{\"service\":\"knative-lambda-builder\",\"version\":\"1.4.2\"}");
        String signature = Signatures.sign(secret, TIMESTAMP, DELIVERY, body);
        for (int i = 0; i < body.length; i++) {
            byte[] tampered = body.clone();
            tampered[i] ^= 0x01;
            assertThat(Signatures.verify(secret, TIMESTAMP, DELIVERY, tampered, signature)).as("byte %d flipped", i)
                    .isEqualTo(Verdict.MISMATCH);
        }
        assertThat(Signatures.verify(secret, TIMESTAMP, DELIVERY, body, signature)).isEqualTo(Verdict.VALID);
    }

    @Test
    void bytesCannotMoveBetweenTheDeliveryIdAndTheBody() {
        byte[] secret = bytes(SECRET);
        String signature = Signatures.sign(secret, TIMESTAMP, "a:b", bytes("c"));

        assertThat(Signatures.verify(secret, TIMESTAMP, "a", bytes("b:c"), signature)).isEqualTo(Verdict.MISMATCH);
        assertThat(Signatures.verify(secret, TIMESTAMP, "a:b:c", bytes(""), signature)).isEqualTo(Verdict.MISMATCH);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
