"""Lab 4's function (004, Module 9): read a note from DynamoDB, turn it into speech with Polly, store the
MP3 in S3 and return a presigned URL to download it.

Expects ``{"UserId": ..., "NoteId": ..., "VoiceId": ...}``; the table and bucket come from TABLE_NAME and
MP3_BUCKET_NAME. Errors are not caught: the invoker sees them as Lambda reports them.
"""

import os

import boto3

dynamodb = boto3.resource("dynamodb")
polly = boto3.client("polly")
s3 = boto3.client("s3")


def lambda_handler(event, context):
    user_id = event["UserId"]
    note_id = event["NoteId"]
    voice_id = event["VoiceId"]

    table = dynamodb.Table(os.environ["TABLE_NAME"])
    note = table.get_item(Key={"UserId": user_id, "NoteId": int(note_id)})["Item"]["Note"]

    speech = polly.synthesize_speech(Text=note, OutputFormat="mp3", VoiceId=voice_id)
    bucket, key = os.environ["MP3_BUCKET_NAME"], f"{user_id}/{note_id}.mp3"
    s3.put_object(Bucket=bucket, Key=key, Body=speech["AudioStream"].read(), ContentType="audio/mpeg")

    return s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600)
