<?php
// What a Moodle plugin would do with essayd's JSON/HTTP API, with plain
// curl_* calls: create an assignment, upload a submission (the seed page),
// grade it, read the grade and its spans, list the assignment's essays,
// start a grading job and poll it to completion, and read an error.
//
// Usage: php lms_flow.php BASE_URL API_KEY SEED_PAGE
// Prints one line per step ("ok ..." or "FAIL ...") and exits non-zero on
// the first failure.

[$script, $base, $key, $seedPath] = $argv + [null, null, null, null];
if (!$base || !$key || !$seedPath) {
    fwrite(STDERR, "usage: php lms_flow.php BASE_URL API_KEY SEED_PAGE\n");
    exit(2);
}

function essayd(string $method, string $path, ?array $body = null): array
{
    global $base, $key;
    $ch = curl_init($base . $path);
    $headers = ['Authorization: Bearer ' . $key, 'Accept: application/json'];
    curl_setopt($ch, CURLOPT_CUSTOMREQUEST, $method);
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    curl_setopt($ch, CURLOPT_TIMEOUT, 30);
    if ($body !== null) {
        $headers[] = 'Content-Type: application/json';
        curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($body, JSON_UNESCAPED_UNICODE));
    }
    curl_setopt($ch, CURLOPT_HTTPHEADER, $headers);
    $raw = curl_exec($ch);
    if ($raw === false) {
        fail("$method $path: " . curl_error($ch));
    }
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, json_decode($raw, true)];
}

function fail(string $why): void
{
    echo "FAIL $why\n";
    exit(1);
}

function check(bool $ok, string $what, $detail = null): void
{
    if (!$ok) {
        fail($what . ($detail === null ? '' : ': ' . json_encode($detail)));
    }
    echo "ok $what\n";
}

// The seed page: "Name: value" headers, then the essay.
$lines = preg_split('/\R/u', file_get_contents($seedPath));
$headers = [];
while ($lines && preg_match('/^([A-Za-z ]+):\s*(.*)$/u', $lines[0], $m)) {
    $headers[trim($m[1])] = trim($m[2]);
    array_shift($lines);
}
$text = trim(implode("\n", $lines));
$author = preg_replace('/^Submitted by\s+/u', '', $headers['Submitted by'] ?? 'unknown');

[$status, $body] = essayd('POST', '/v1/assignments', [
    'id' => 'soviet-fp',
    'courseId' => 'hist-101',
    'question' => 'How successful was Soviet foreign policy in the years 1925–1945?',
]);
check($status === 200 && $body['assignment']['id'] === 'soviet-fp', 'create assignment', $body);

[$status, $body] = essayd('POST', '/v1/essays?requestId=moodle-submission-1', [
    'title' => 'Soviet foreign policy 1925-1945',
    'author' => ['id' => $author, 'displayName' => $author],
    'assignmentId' => 'soviet-fp',
    'externalId' => 'moodle-submission-1',
    'category' => $headers['Category'] ?? '',
    'declared' => ['words' => (int)($headers['Words'] ?? 0), 'pages' => (int)($headers['Pages'] ?? 0),
                   'views' => (string)($headers['Views'] ?? 0), 'source' => 'essay-site'],
    'text' => $text,
]);
check($status === 200 && $body['essay']['metrics']['words'] > 100, 'upload the seed essay', $body);
$essayId = $body['essay']['id'];

[$status, $body] = essayd('POST', "/v1/essays/$essayId:grade");
check($status === 200 && count($body['grade']['criteria']) === 4, 'grade it', $body);
$gradeId = $body['grade']['id'];

[$status, $body] = essayd('GET', "/v1/essays/$essayId/grades/$gradeId");
$spans = 0;
foreach ($body['grade']['criteria'] as $criterion) {
    foreach ($criterion['spans'] as $span) {
        // Spans are byte offsets into the stored text, with the text quoted.
        if (substr($text, $span['start'], $span['end'] - $span['start']) !== $span['text']) {
            fail("span {$span['label']} does not quote the text at its offsets");
        }
        $spans++;
    }
}
check($status === 200 && $spans > 0, "read the grade ({$body['grade']['total']} / {$body['grade']['maxMark']}, $spans spans)", $body);

[$status, $body] = essayd('GET', '/v1/essays?assignmentId=soviet-fp&pageSize=50');
check($status === 200 && count($body['essays']) === 1 && $body['essays'][0]['id'] === $essayId, 'list the assignment\'s essays', $body);

[$status, $body] = essayd('POST', '/v1/jobs', ['assignmentId' => 'soviet-fp']);
check($status === 200, 'start a grading job', $body);
$jobId = $body['job']['id'];
$state = $body['job']['state'];
for ($i = 0; $i < 300 && !in_array($state, ['GRADING_JOB_STATE_SUCCEEDED', 'GRADING_JOB_STATE_FAILED', 'GRADING_JOB_STATE_CANCELLED'], true); $i++) {
    usleep(100000);
    [$status, $body] = essayd('GET', "/v1/jobs/$jobId");
    $state = $body['job']['state'];
}
check($state === 'GRADING_JOB_STATE_SUCCEEDED' && $body['job']['graded'] === 1, "poll the job to completion ($state)", $body);

[$status, $body] = essayd('POST', '/v1/essays', ['title' => 'empty', 'text' => '   ']);
$violation = null;
foreach ($body['details'] ?? [] as $detail) {
    if ($detail['@type'] === 'type.googleapis.com/google.rpc.BadRequest') {
        $violation = $detail['fieldViolations'][0]['field'];
    }
}
check($status === 400 && $body['code'] === 3 && $violation === 'essay.text', "an empty essay is refused (HTTP $status, field $violation)", $body);

[$status, $body] = essayd('GET', '/v1/essays/01936d1c-7c5e-7b3a-9f1e-2a4b6c8d0e1f');
check($status === 404 && $body['code'] === 5, 'an unknown essay is 404', $body);
echo "done\n";
